using System.Globalization;
using ScottPlot;

namespace Convolve.Faces.Evaluation;

/// <summary>
/// PNG plots of an evaluation (ScottPlot): the ROC curve, and the distance histograms of same-person and
/// different-person pairs with the threshold drawn, which shows at a glance how much the two overlap.
/// </summary>
public static class EvaluationPlots
{
    /// <summary>Default image width in pixels.</summary>
    public const int DefaultWidth = 800;

    /// <summary>Default image height in pixels.</summary>
    public const int DefaultHeight = 600;

    /// <summary>
    /// Writes roc.png, roc-log.png and distances.png into <paramref name="directory"/> (created if needed); returns
    /// their paths.
    /// </summary>
    public static IReadOnlyList<string> WriteAll(string directory, EvaluationReport report, int width = DefaultWidth, int height = DefaultHeight)
    {
        Directory.CreateDirectory(directory);
        string roc = Path.Combine(directory, "roc.png");
        string rocLog = Path.Combine(directory, "roc-log.png");
        string histograms = Path.Combine(directory, "distances.png");
        WriteRoc(roc, report.Roc, report.Auc, report.Eer, width, height);
        WriteRocLogFar(rocLog, report.Roc, width, height);
        WriteDistanceHistograms(histograms, report.Scores, report.Threshold, width: width, height: height);
        return [roc, rocLog, histograms];
    }

    /// <summary>
    /// The ROC curve with FAR on a log scale, where good face matchers differ (TAR at FAR 1e-3, 1e-2). Starts at
    /// the smallest non-zero FAR the data can show (one false accept).
    /// </summary>
    public static void WriteRocLogFar(string path, IReadOnlyList<RocPoint> roc, int width = DefaultWidth, int height = DefaultHeight)
    {
        RocPoint[] visible = roc.Where(p => p.Far > 0).ToArray();
        double smallest = visible.Length == 0 ? 1e-3 : visible.Min(p => p.Far);
        int firstDecade = (int)Math.Floor(Math.Log10(smallest));
        var plot = new Plot();
        // Each FAR step is drawn as a horizontal run at the TAR reached just before the next false accept.
        var xs = new List<double>();
        var ys = new List<double>();
        double previousTar = roc.Where(p => p.Far == 0).Select(p => p.Tar).DefaultIfEmpty(0).Max();
        foreach (RocPoint p in visible)
        {
            xs.Add(Math.Log10(p.Far));
            ys.Add(previousTar);
            xs.Add(Math.Log10(p.Far));
            ys.Add(p.Tar);
            previousTar = p.Tar;
        }
        if (xs.Count > 0)
        {
            var curve = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray(), Colors.Blue);
            curve.LineWidth = 2;
            curve.MarkerSize = 0;
        }
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int decade = firstDecade; decade <= 0; decade++)
            ticks.AddMajor(decade, decade == 0 ? "1" : string.Create(CultureInfo.InvariantCulture, $"1e{decade}"));
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Title("ROC, false-accept rate on a log scale");
        plot.XLabel("false-accept rate");
        plot.YLabel("true-accept rate");
        plot.Axes.SetLimits(firstDecade, 0, 0, 1.02);
        plot.SavePng(path, width, height);
    }

    /// <summary>The ROC curve (TAR against FAR), the chance diagonal, and the AUC and EER in the title.</summary>
    public static void WriteRoc(string path, IReadOnlyList<RocPoint> roc, double auc, double eer, int width = DefaultWidth, int height = DefaultHeight)
    {
        var plot = new Plot();
        var curve = plot.Add.ScatterLine(roc.Select(p => p.Far).ToArray(), roc.Select(p => p.Tar).ToArray(), Colors.Blue);
        curve.LineWidth = 2;
        curve.LegendText = "ROC";
        var chance = plot.Add.ScatterLine(new double[] { 0, 1 }, new double[] { 0, 1 }, Colors.Gray);
        chance.LinePattern = LinePattern.Dashed;
        chance.LegendText = "chance";
        var equalError = plot.Add.ScatterLine(new double[] { 0, 1 }, new double[] { 1, 0 }, Colors.LightGray);
        equalError.LegendText = "FAR = 1 − TAR";
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"ROC: AUC {auc:F4}, EER {eer:P2}"));
        plot.XLabel("false-accept rate (different people accepted)");
        plot.YLabel("true-accept rate (same person accepted)");
        plot.Axes.SetLimits(0, 1, 0, 1.02);
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        plot.SavePng(path, width, height);
    }

    /// <summary>
    /// Histograms of the distances of same-person and different-person pairs (each as a fraction of its own pairs)
    /// and the threshold as a vertical line: pairs left of it are accepted.
    /// </summary>
    public static void WriteDistanceHistograms(string path, IReadOnlyList<ScoredPair> scores, double threshold, int bins = 40, int width = DefaultWidth, int height = DefaultHeight)
    {
        double min = Math.Min(scores.Min(s => s.Distance), threshold), max = Math.Max(scores.Max(s => s.Distance), threshold);
        if (max <= min) max = min + 1;
        double binWidth = (max - min) / bins;
        var plot = new Plot();
        AddHistogram(plot, scores.Where(s => s.Same).Select(s => s.Distance).ToArray(), min, max, bins, Colors.Green, "same person");
        AddHistogram(plot, scores.Where(s => !s.Same).Select(s => s.Distance).ToArray(), min, max, bins, Colors.Red, "different people");
        var line = plot.Add.VerticalLine(threshold, 2, Colors.Black, LinePattern.Dashed);
        line.LegendText = string.Create(CultureInfo.InvariantCulture, $"threshold {threshold:F3}");
        plot.Title("Distances of labelled pairs");
        plot.XLabel("euclidean distance between encodings");
        plot.YLabel("fraction of pairs");
        plot.Axes.SetLimitsX(min - binWidth, max + binWidth);
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        plot.SavePng(path, width, height);
    }

    /// <summary>Counts of <paramref name="values"/> in <paramref name="bins"/> equal bins over [min, max] (max falls in the last bin).</summary>
    public static int[] Histogram(IReadOnlyList<double> values, double min, double max, int bins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        if (!(max > min)) throw new ArgumentException("max must exceed min", nameof(max));
        var counts = new int[bins];
        foreach (double v in values)
        {
            if (v < min || v > max) continue;
            counts[Math.Min(bins - 1, (int)((v - min) / (max - min) * bins))]++;
        }
        return counts;
    }

    private static void AddHistogram(Plot plot, double[] values, double min, double max, int bins, Color color, string legend)
    {
        if (values.Length == 0) return;
        int[] counts = Histogram(values, min, max, bins);
        double binWidth = (max - min) / bins;
        var bars = counts.Select((c, i) => new Bar
        {
            Position = min + (i + 0.5) * binWidth,
            Value = (double)c / values.Length,
            Size = binWidth,
            FillColor = color.WithAlpha(0.45),
            LineWidth = 0,
        }).ToArray();
        var plottable = plot.Add.Bars(bars);
        plottable.LegendText = legend;
    }
}
