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
    public sealed record Face(FaceBox Box, Point2[] Landmarks, PixelRect? DlibRect, float[] Descriptor);

    public IReadOnlyList<Face> Pipeline(string section) => Root.GetProperty(section).EnumerateArray().Select(f => new Face(
        Box(f.GetProperty("detection").GetProperty("box")),
        f.GetProperty("landmarks68").EnumerateArray().Select(p => new Point2(p[0].GetSingle(), p[1].GetSingle())).ToArray(),
        f.TryGetProperty("recognitionCropRect_dlib", out var r) ? Rect(r) : null,
        Floats(f.GetProperty("descriptor")))).ToList();

    public static float MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(a.Length, b.Length);
        float m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs(a[i] - b[i]));
        return m;
    }
}
