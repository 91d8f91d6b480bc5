using Convolve.Faces.Evaluation;

namespace Convolve.Training;

/// <summary>
/// Verification figures of scored pairs (higher score = more likely the same identity), computed by the shared
/// evaluation code (<see cref="PairMetrics"/>, which works on distances: here distance = −score).
/// </summary>
/// <param name="Auc">Area under the ROC curve (ties count half).</param>
/// <param name="Eer">Equal error rate: where false accepts = false rejects (interpolated).</param>
/// <param name="BestAccuracy">Accuracy at the best threshold.</param>
/// <param name="BestThreshold">That threshold on the score ("same" when score &gt; threshold).</param>
/// <param name="Pairs">Number of pairs scored.</param>
public sealed record VerificationMetrics(double Auc, double Eer, double BestAccuracy, double BestThreshold, int Pairs)
{
    /// <summary>Computes the figures; needs at least one same and one different pair.</summary>
    public static VerificationMetrics Compute(IReadOnlyList<double> scores, IReadOnlyList<bool> same)
    {
        if (scores.Count != same.Count) throw new ArgumentException("scores and labels differ in length");
        if (!same.Contains(true) || !same.Contains(false)) throw new ArgumentException("need at least one same and one different pair");
        var pairs = scores.Select((s, i) => new ScoredPair(same[i], -s)).ToArray();
        var roc = PairMetrics.Roc(pairs);
        var best = PairMetrics.BestAccuracy(pairs);
        return new VerificationMetrics(PairMetrics.Auc(roc), PairMetrics.Eer(roc), best.Accuracy, -best.Threshold, pairs.Length);
    }
}
