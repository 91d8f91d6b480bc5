using System.Security.Cryptography;
using System.Text.Json;
using Convolve.Imaging;

namespace Convolve.Tests.Faces.Detection;

/// <summary>
/// Both detectors against the outputs face-api 1.7.15 itself produced (tfjs CPU backend) in ../shared for s1.png
/// (800×533 landscape, 3 faces, padding at the bottom) and m1.png (600×1250 portrait, 7 faces, padding at the right).
/// </summary>
public sealed class SharedReferenceParityTests(DetectorFixture detectors, ITestOutputHelper output)
{
    public static TheoryData<string> Images => new() { "s1", "m1" };

    [Theory, MemberData(nameof(Images))]
    public void SsdFindsTheSameFacesAndAnchors(string name)
    {
        var (image, reference) = Load(name);
        output.WriteLine(name + " " + DetectorParity.Ssd(detectors.Ssd(), image, reference));
        output.WriteLine(name + " " + DetectorParity.SsdRawTopFive(detectors.Ssd(), image, reference));
    }

    [Theory, MemberData(nameof(Images))]
    public void TinyFindsTheSameFacesAtEveryInputSize(string name)
    {
        var (image, reference) = Load(name);
        output.WriteLine(name + " " + DetectorParity.Tiny(detectors.Tiny, image, reference));
        output.WriteLine(name + " " + DetectorParity.TinyRaw(detectors.Tiny(), image, reference));
    }

    private static (RgbImage Image, JsonElement Reference) Load(string name)
    {
        string png = SharedData.Require($"specs/faceapi-reference/{name}.png");
        var reference = ReferenceJson.Load(SharedData.Require($"specs/faceapi-reference/{name}.json"));
        var info = reference.GetProperty("image");
        Assert.Equal(info.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(png))));
        var image = ImageDecoder.Load(png);
        Assert.Equal(info.GetProperty("width").GetInt32(), image.Width);
        Assert.Equal(info.GetProperty("height").GetInt32(), image.Height);
        return (image, reference);
    }
}
