using System.Security.Cryptography;
using System.Text.Json;
using Convolve.Faces.Detection;
using Convolve.Imaging;

namespace Convolve.Tests.Faces.Detection;

/// <summary>
/// Both detectors against outputs face-api 1.7.15 itself produced (tfjs CPU backend) for ../shared's s1.png
/// (800×533 landscape, 3 faces, padding at the bottom) and m1.png (600×1250 portrait, 7 faces, padding at the right).
/// </summary>
public sealed class FaceApiReferenceParityTests(DetectorFixture detectors, ITestOutputHelper output) : IClassFixture<DetectorFixture>
{
    public static TheoryData<string> Images => new() { "s1", "m1" };

    [Theory, MemberData(nameof(Images))]
    public void SsdFindsTheSameFacesWithinAHundredthOfAPixel(string name)
    {
        var (image, reference) = Load(name);
        var faces = detectors.Ssd().Detect(image);
        var (box, score) = ReferenceJson.AssertSame(
            ReferenceJson.Detections(reference.GetProperty("ssd_default").GetProperty("detections")), faces, $"{name} ssd");
        output.WriteLine($"{name} ssd: {faces.Count} faces, max box diff {box:G3} px, max score diff {score:G3}");
    }

    [Theory, MemberData(nameof(Images))]
    public void SsdRawTopFiveAnchorsMatch(string name)
    {
        var (image, reference) = Load(name);
        var predictions = detectors.Ssd().Predict(image);
        var top5 = Enumerable.Range(0, predictions.Scores.Length).OrderByDescending(i => predictions.Scores[i]).Take(5).ToArray();
        double maxBox = 0, maxScore = 0;
        int rank = 0;
        foreach (var expected in reference.GetProperty("ssd_raw_top5").EnumerateArray())
        {
            int anchor = expected.GetProperty("anchorIndex").GetInt32();
            Assert.Equal(anchor, top5[rank++]);
            maxScore = Math.Max(maxScore, Math.Abs(predictions.Scores[anchor] - expected.GetProperty("score").GetDouble()));
            double[] box = ReferenceJson.Doubles(expected.GetProperty("box_ymin_xmin_ymax_xmax"));
            for (int k = 0; k < 4; k++) maxBox = Math.Max(maxBox, Math.Abs(predictions.Boxes[anchor * 4 + k] - box[k]));
        }
        output.WriteLine($"{name} ssd raw top-5: max box diff {maxBox:G3} (relative), max score diff {maxScore:G3}");
        Assert.True(maxBox < 5e-6, $"raw boxes differ by {maxBox:G3} (JSON rounds to 1e-6)");
        Assert.True(maxScore < 5e-6, $"raw scores differ by {maxScore:G3}");
    }

    [Theory]
    [InlineData("s1", 224), InlineData("s1", 320), InlineData("s1", 416), InlineData("s1", 608)]
    [InlineData("m1", 224), InlineData("m1", 320), InlineData("m1", 416), InlineData("m1", 608)]
    public void TinyFindsTheSameFacesAtEveryInputSize(string name, int inputSize)
    {
        var (image, reference) = Load(name);
        var faces = detectors.Tiny(new TinyFaceDetectorOptions(inputSize)).Detect(image);
        var (box, score) = ReferenceJson.AssertSame(
            ReferenceJson.Detections(reference.GetProperty($"tiny_{inputSize}").GetProperty("detections")), faces, $"{name} tiny {inputSize}");
        output.WriteLine($"{name} tiny {inputSize}: {faces.Count} faces, max box diff {box:G3} px, max score diff {score:G3}");
    }

    [Theory, MemberData(nameof(Images))]
    public void TinyRawOutputOfTheFirstCellMatches(string name)
    {
        var (image, reference) = Load(name);
        var raw = reference.GetProperty("tiny_raw_416");
        Assert.Equal(new[] { 1, 13, 13, 25 }, raw.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        float[] actual = detectors.Tiny().Predict(image);
        Assert.Equal(13 * 13 * 25, actual.Length);
        double[] expected = ReferenceJson.Doubles(raw.GetProperty("first25_cell_row0_col0"));
        double max = expected.Select((e, i) => Math.Abs(actual[i] - e)).Max();
        output.WriteLine($"{name} tiny raw 416 first cell: max diff {max:G3}");
        Assert.True(max < 1e-4, $"raw output differs by {max:G3}");
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
