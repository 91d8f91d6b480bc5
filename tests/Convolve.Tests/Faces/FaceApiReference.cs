using System.Text.Json;
using Convolve.Faces;
using Convolve.Imaging;

namespace Convolve.Tests.Faces;

/// <summary>
/// A face-api reference file: an image and the outputs face-api 1.7.15 itself produced for it (tfjs CPU backend).
/// Reads ../shared/specs/faceapi-reference/{name}.json and the tests/reference/fixtures layout (same keys).
/// </summary>
public sealed class FaceApiReference
{
    private FaceApiReference(JsonElement root, RgbImage image)
    {
        Root = root;
        Image = image;
    }

    public JsonElement Root { get; }

    public RgbImage Image { get; }

    /// <summary>Loads ../shared/specs/faceapi-reference/{name}.json with its image; skips when absent.</summary>
    public static FaceApiReference LoadShared(string name)
    {
        string json = SharedData.Require($"specs/faceapi-reference/{name}.json");
        return Load(json, Path.Combine(Path.GetDirectoryName(json)!, $"{name}.png"));
    }

    /// <summary>
    /// Loads tests/reference/fixtures/{name}.json (made by face-api in Node, see tests/reference/README.md) with its
    /// image: s1/m1 from ../shared, sample1..6 from face-api's demo folder in node_modules; skips when absent.
    /// </summary>
    public static FaceApiReference LoadFixture(string name)
    {
        string json = Path.Combine(SharedData.RepoRoot, "tests", "reference", "fixtures", $"{name}.json");
        string image = name.StartsWith("sample", StringComparison.Ordinal)
            ? Path.Combine(SharedData.RepoRoot, "node_modules", "@vladmandic", "face-api", "demo", $"{name}.jpg")
            : SharedData.Require($"specs/faceapi-reference/{name}.png");
        if (!File.Exists(image)) Assert.Skip($"{image} is absent: run 'npm ci' at the repository root.");
        return Load(json, image);
    }

    public static FaceApiReference Load(string jsonPath, string imagePath)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(jsonPath));
        var image = ImageDecoder.Load(imagePath);
        var root = doc.RootElement.Clone();
        int w = root.GetProperty("image").GetProperty("width").GetInt32(), h = root.GetProperty("image").GetProperty("height").GetInt32();
        Assert.Equal((w, h), (image.Width, image.Height));
        return new FaceApiReference(root, image);
    }

    public static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => e.GetSingle()).ToArray();

    public static FaceBox Box(JsonElement xywh)
    {
        var v = Floats(xywh);
        return new FaceBox(v[0], v[1], v[2], v[3]);
    }

    public static PixelRect Rect(JsonElement xywh)
    {
        var v = xywh.EnumerateArray().Select(e => e.GetInt32()).ToArray();
        return new PixelRect(v[0], v[1], v[2], v[3]);
    }

    /// <summary>One face of a pipeline section (e.g. pipeline_ssd_landmark68_recognition).</summary>
    public sealed record Face(FaceBox Box, Point2[] Landmarks, PixelRect? DlibRect, float[] Descriptor, JsonElement Json);

    public IReadOnlyList<Face> Pipeline(string section) => Root.GetProperty(section).EnumerateArray().Select(f => new Face(
        Box(f.GetProperty("detection").GetProperty("box")),
        Points(f.GetProperty("landmarks68")),
        f.TryGetProperty("recognitionCropRect_dlib", out var r) ? Rect(r) : null,
        Floats(f.GetProperty("descriptor")),
        f)).ToList();

    public static Point2[] Points(JsonElement pairs) =>
        pairs.EnumerateArray().Select(p => new Point2(p[0].GetSingle(), p[1].GetSingle())).ToArray();

    /// <summary>SHA-256 (hex) of the packed RGB buffer, as the fixtures' image.rgbSha256.</summary>
    public string RgbSha256() => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Image.Pixels));

    public static float MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(a.Length, b.Length);
        float m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs(a[i] - b[i]));
        return m;
    }
}
