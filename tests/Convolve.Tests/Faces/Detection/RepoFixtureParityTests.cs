using System.Text.Json;
using Convolve.Imaging;

namespace Convolve.Tests.Faces.Detection;

/// <summary>
/// Both detectors against the repository's face-api fixtures (tests/reference/fixtures, made by face-api 1.7.15 on
/// the tfjs CPU backend): face-api's six demo photos (1920 px wide, 22 faces) plus s1/m1. The decoded RGB is checked
/// against the fixture's hash first, so a decoder change is reported as such rather than as a network mismatch.
/// </summary>
public sealed class RepoFixtureParityTests(DetectorFixture detectors, ITestOutputHelper output)
{
    public static TheoryData<string> Inputs => new() { "sample1", "sample2", "sample3", "sample4", "sample5", "sample6", "s1", "m1" };

    [Theory, MemberData(nameof(Inputs))]
    public void SsdFindsTheSameFacesAndAnchors(string name)
    {
        var (image, reference) = Load(name);
        output.WriteLine(name + " " + DetectorParity.Ssd(detectors.Ssd(), image, reference));
        output.WriteLine(name + " " + DetectorParity.SsdRawTopFive(detectors.Ssd(), image, reference));
    }

    [Theory, MemberData(nameof(Inputs))]
    public void TinyFindsTheSameFaces(string name)
    {
        var (image, reference) = Load(name);
        output.WriteLine(name + " " + DetectorParity.Tiny(detectors.Tiny, image, reference));
        output.WriteLine(name + " " + DetectorParity.TinyRaw(detectors.Tiny(), image, reference));
    }

    private static (RgbImage Image, JsonElement Reference) Load(string name)
    {
        string fixture = Path.Combine(SharedData.RepoRoot, "tests", "reference", "fixtures", name + ".json");
        Assert.True(File.Exists(fixture), $"missing fixture {fixture}");
        var reference = ReferenceJson.Load(fixture);
        string path = name.StartsWith("sample", StringComparison.Ordinal)
            ? Path.Combine(Path.GetDirectoryName(SharedData.RequireFaceModels())!, "demo", name + ".jpg")
            : SharedData.Require($"specs/faceapi-reference/{name}.png");
        var image = ImageDecoder.Load(path);
        Assert.Equal(reference.GetProperty("image").GetProperty("rgbSha256").GetString(), ReferenceJson.RgbSha256(image));
        return (image, reference);
    }
}
