using System.Text.Json;
using Convolve.Faces;
using Convolve.Imaging;

namespace Convolve.Tests.Cli;

/// <summary>Inputs for the face command tests: face-api's sample photos, the model folder, and images made from them.</summary>
internal static class FacesTestData
{
    public static string ModelDir => SharedData.RequireFaceModels();

    /// <summary>face-api's demo/sampleK.jpg (skips when the npm package is absent).</summary>
    public static string Sample(int k)
    {
        string path = Path.GetFullPath(Path.Combine(ModelDir, "..", "demo", $"sample{k}.jpg"));
        if (!File.Exists(path)) Assert.Skip($"{path} is absent: run 'npm ci' at the repository root.");
        return path;
    }

    /// <summary>A face as face-api found it: box and 68 landmarks.</summary>
    public sealed record ReferenceFace(FaceBox Box, Point2[] Landmarks);

    /// <summary>face-api's own pipeline output (SSD + 68 landmarks) for sampleK, from tests/reference/fixtures.</summary>
    public static IReadOnlyList<ReferenceFace> Reference(int k)
    {
        string json = Path.Combine(SharedData.RepoRoot, "tests", "reference", "fixtures", $"sample{k}.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        return doc.RootElement.GetProperty("pipeline_ssd_landmark68_recognition").EnumerateArray().Select(f => new ReferenceFace(
            BoxOf(f.GetProperty("detection").GetProperty("box")),
            f.GetProperty("landmarks68").EnumerateArray().Select(p => new Point2(p[0].GetSingle(), p[1].GetSingle())).ToArray())).ToList();
    }

    /// <summary>Writes <paramref name="image"/> as PNG (or JPEG by extension) to <paramref name="path"/>.</summary>
    public static string Save(RgbImage image, string path)
    {
        ImageEncoder.Save(image, path);
        return path;
    }

    /// <summary>A uniform grey image: no face.</summary>
    public static RgbImage Blank(int w = 320, int h = 240)
    {
        var px = new byte[w * h * 3];
        Array.Fill(px, (byte)128);
        return new RgbImage(w, h, px);
    }

    /// <summary>Nearest-neighbour resize by an integer <paramref name="up"/> factor, or 1/<paramref name="down"/> by taking every down-th pixel.</summary>
    public static RgbImage Scale(RgbImage src, int up = 1, int down = 1)
    {
        int w = src.Width * up / down, h = src.Height * up / down;
        var px = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
        {
            int sy = y * down / up;
            for (int x = 0; x < w; x++)
            {
                int sx = x * down / up, s = (sy * src.Width + sx) * 3, d = (y * w + x) * 3;
                px[d] = src.Pixels[s];
                px[d + 1] = src.Pixels[s + 1];
                px[d + 2] = src.Pixels[s + 2];
            }
        }
        return new RgbImage(w, h, px);
    }

    public static FaceBox BoxOf(JsonElement xywh)
    {
        var v = xywh.EnumerateArray().Select(e => e.GetSingle()).ToArray();
        return new FaceBox(v[0], v[1], v[2], v[3]);
    }
}
