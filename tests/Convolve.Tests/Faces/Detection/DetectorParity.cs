using System.Text.Json;
using Convolve.Faces.Detection;
using Convolve.Imaging;

namespace Convolve.Tests.Faces.Detection;

/// <summary>
/// Checks of both detectors against one face-api reference JSON (the layout of ../shared's s1.json, which the repo's
/// tests/reference fixtures extend). Each returns the largest differences seen, for the test log.
/// </summary>
internal static class DetectorParity
{
    /// <summary>SSD with default options: the same faces in the same order, boxes within 0.01 px.</summary>
    public static string Ssd(SsdFaceDetector ssd, RgbImage image, JsonElement reference)
    {
        var faces = ssd.Detect(image);
        var (box, score) = ReferenceJson.AssertSame(
            ReferenceJson.Detections(reference.GetProperty("ssd_default").GetProperty("detections")), faces, "ssd");
        return $"ssd: {faces.Count} faces, max box diff {box:G3} px, max score diff {score:G3}";
    }

    /// <summary>The five best anchors before NMS: same indices in the same order, same scores and decoded boxes.</summary>
    public static string SsdRawTopFive(SsdFaceDetector ssd, RgbImage image, JsonElement reference)
    {
        var predictions = ssd.Predict(image);
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
        Assert.True(maxBox < 5e-6, $"raw boxes differ by {maxBox:G3} (relative units)");
        Assert.True(maxScore < 5e-6, $"raw scores differ by {maxScore:G3}");
        return $"ssd raw top-5: max box diff {maxBox:G3} (relative), max score diff {maxScore:G3}";
    }

    /// <summary>The tiny detector at every input size the reference has (tiny_224, tiny_320, tiny_416, tiny_608).</summary>
    public static string Tiny(Func<TinyFaceDetectorOptions, TinyFaceDetector> tiny, RgbImage image, JsonElement reference)
    {
        var lines = new List<string>();
        foreach (int size in new[] { 224, 320, 416, 608 })
        {
            if (!reference.TryGetProperty($"tiny_{size}", out var expected)) continue;
            var faces = tiny(new TinyFaceDetectorOptions(size)).Detect(image);
            var (box, score) = ReferenceJson.AssertSame(ReferenceJson.Detections(expected.GetProperty("detections")), faces, $"tiny {size}");
            lines.Add($"tiny {size}: {faces.Count} faces, max box diff {box:G3} px, max score diff {score:G3}");
        }
        Assert.NotEmpty(lines);
        return string.Join("\n", lines);
    }

    /// <summary>Raw 416 output: the first cell, and (when the reference has it) the cell with the largest confidence.</summary>
    public static string TinyRaw(TinyFaceDetector tiny416, RgbImage image, JsonElement reference)
    {
        var raw = reference.GetProperty("tiny_raw_416");
        Assert.Equal(new[] { 1, 13, 13, 25 }, raw.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        float[] actual = tiny416.Predict(image);
        Assert.Equal(13 * 13 * 25, actual.Length);
        double max = MaxDiff(actual, 0, ReferenceJson.Doubles(raw.GetProperty("first25_cell_row0_col0")));
        if (raw.TryGetProperty("maxConfCell_row_col", out var cell))
        {
            int[] rc = cell.EnumerateArray().Select(e => e.GetInt32()).ToArray();
            max = Math.Max(max, MaxDiff(actual, (rc[0] * 13 + rc[1]) * 25, ReferenceJson.Doubles(raw.GetProperty("maxConfCell_25"))));
        }
        Assert.True(max < 1e-4, $"raw output differs by {max:G3}");
        return $"tiny raw 416: max diff {max:G3}";
    }

    private static double MaxDiff(float[] actual, int offset, double[] expected) =>
        expected.Select((e, i) => Math.Abs(actual[offset + i] - e)).Max();
}
