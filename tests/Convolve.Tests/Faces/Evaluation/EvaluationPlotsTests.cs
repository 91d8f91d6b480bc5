using System.Buffers.Binary;
using Convolve.Faces.Evaluation;

namespace Convolve.Tests.Faces.Evaluation;

public class EvaluationPlotsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("convolve-plots-").FullName;

    [Fact]
    public void Roc_and_histogram_pngs_are_valid_and_of_the_asked_size()
    {
        var random = new Random(9);
        var scores = Enumerable.Range(0, 400).Select(i => new ScoredPair(i % 2 == 0, (i % 2 == 0 ? 0.4 : 0.8) + random.NextDouble() * 0.3)).ToList();
        EvaluationReport report = PairEvaluation.Evaluate(FoldProtocol.AssignFolds(scores), null, "test");

        IReadOnlyList<string> files = EvaluationPlots.WriteAll(_dir, report);
        Assert.Equal(["roc.png", "roc-log.png", "distances.png"], files.Select(Path.GetFileName));
        foreach (string file in files) AssertPng(file, EvaluationPlots.DefaultWidth, EvaluationPlots.DefaultHeight);

        string small = Path.Combine(_dir, "small.png");
        EvaluationPlots.WriteDistanceHistograms(small, scores, report.Threshold, bins: 10, width: 320, height: 200);
        AssertPng(small, 320, 200);
    }

    [Fact]
    public void Histogram_counts_by_hand()
    {
        // Bins of 0.25 over [0, 1]: {0, 0.1}, {0.25}, {0.5}, {1.0 (max goes in the last bin)}; 1.5 is outside.
        Assert.Equal([2, 1, 1, 1], EvaluationPlots.Histogram([0, 0.1, 0.25, 0.5, 1.0, 1.5], 0, 1, 4));
    }

    private static void AssertPng(string path, int width, int height)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        Assert.True(bytes.Length > 5000, "a plot with axes, bars and text is more than a blank image");
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }
}
