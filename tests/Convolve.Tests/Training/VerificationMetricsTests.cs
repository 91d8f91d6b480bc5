using Convolve.Training;

namespace Convolve.Tests.Training;

/// <summary>The training metrics (on the shared PairMetrics) against a case worked out by hand.</summary>
public class VerificationMetricsTests
{
    [Fact]
    public void Auc_eer_and_best_accuracy_match_hand_values()
    {
        // Same pairs score 0.9, 0.8, 0.6; different pairs 0.7, 0.5, 0.4.
        double[] scores = { 0.9, 0.8, 0.7, 0.6, 0.5, 0.4 };
        bool[] same = { true, true, false, true, false, false };
        var m = VerificationMetrics.Compute(scores, same);
        Assert.Equal(8.0 / 9, m.Auc, 12);          // 8 of the 9 (same, different) orderings are right
        Assert.Equal(1.0 / 3, m.Eer, 12);          // at 0.7: FAR 1/3, FRR 1/3
        Assert.Equal(5.0 / 6, m.BestAccuracy, 12);
        Assert.Equal(6, m.Pairs);
    }

    [Fact]
    public void Ties_count_half_and_perfect_separation_gives_auc_one()
    {
        Assert.Equal(0.5, VerificationMetrics.Compute(new[] { 1.0, 1.0 }, new[] { true, false }).Auc);
        var perfect = VerificationMetrics.Compute(new[] { 3.0, 2.0, 1.0, 0.0 }, new[] { true, true, false, false });
        Assert.Equal(1.0, perfect.Auc);
        Assert.Equal(0.0, perfect.Eer);
        Assert.Equal(1.0, perfect.BestAccuracy);
    }
}
