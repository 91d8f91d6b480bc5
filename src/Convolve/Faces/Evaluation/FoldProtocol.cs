using System.Text.Json.Serialization;

namespace Convolve.Faces.Evaluation;

/// <summary>One held-out fold: the threshold chosen on the other folds and the accuracy it gives on this one.</summary>
public sealed record FoldResult(
    [property: JsonPropertyName("fold")] int Fold,
    [property: JsonPropertyName("threshold")] double Threshold,
    [property: JsonPropertyName("accuracy")] double Accuracy);

/// <summary>Result of k-fold cross-validation: per-fold results, mean accuracy, sample standard deviation.</summary>
/// <param name="Folds">Per-fold results.</param>
/// <param name="MeanAccuracy">Mean of the fold accuracies.</param>
/// <param name="AccuracyStd">Sample standard deviation of the fold accuracies (n − 1, as LFW's σ̂).</param>
public sealed record CrossValidation(IReadOnlyList<FoldResult> Folds, double MeanAccuracy, double AccuracyStd)
{
    /// <summary>Standard error of the mean, σ̂ / √folds (what the LFW README asks papers to report).</summary>
    public double StandardError => AccuracyStd / Math.Sqrt(Folds.Count);
}

/// <summary>
/// LFW's standard protocol: for each fold, choose the best-accuracy threshold on the other folds and measure
/// accuracy on the held-out fold; report mean ± standard deviation.
/// </summary>
public static class FoldProtocol
{
    /// <summary>Cross-validates over the folds given by <see cref="ScoredPair.Fold"/> (at least two).</summary>
    public static CrossValidation CrossValidate(IReadOnlyList<ScoredPair> pairs)
    {
        int[] folds = pairs.Select(p => p.Fold).Distinct().Order().ToArray();
        if (folds.Length < 2) throw new ArgumentException("cross-validation needs at least two folds", nameof(pairs));
        var results = new List<FoldResult>();
        foreach (int fold in folds)
        {
            ScoredPair[] training = pairs.Where(p => p.Fold != fold).ToArray();
            ScoredPair[] heldOut = pairs.Where(p => p.Fold == fold).ToArray();
            double threshold = PairMetrics.BestAccuracy(training).Threshold;
            results.Add(new FoldResult(fold, threshold, PairMetrics.Accuracy(heldOut, threshold)));
        }
        double mean = results.Average(r => r.Accuracy);
        double variance = results.Sum(r => (r.Accuracy - mean) * (r.Accuracy - mean)) / (results.Count - 1);
        return new CrossValidation(results, mean, Math.Sqrt(variance));
    }

    /// <summary>
    /// Assigns folds to a single-split list: the i-th same-person pair and the i-th different-person pair (in file
    /// order) go to fold i mod <paramref name="folds"/>, so every fold is balanced like LFW View 2's.
    /// </summary>
    public static IReadOnlyList<ScoredPair> AssignFolds(IReadOnlyList<ScoredPair> pairs, int folds = 10)
    {
        int same = 0, different = 0;
        return pairs.Select(p => p with { Fold = (p.Same ? same++ : different++) % folds }).ToList();
    }
}
