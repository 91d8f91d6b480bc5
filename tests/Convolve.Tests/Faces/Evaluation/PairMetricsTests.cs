using Convolve.Faces.Evaluation;

namespace Convolve.Tests.Faces.Evaluation;

/// <summary>Verification metrics against values computed by hand (distances: smaller = more similar; accept d &lt; τ).</summary>
public class PairMetricsTests
{
    private static List<ScoredPair> Pairs(double[] same, double[] different) =>
        [.. same.Select(d => new ScoredPair(true, d)), .. different.Select(d => new ScoredPair(false, d))];

    // Sorted: 0.1S 0.2D 0.3S 0.5S 0.6D 0.7S 0.8D 0.9D
    private static readonly List<ScoredPair> Example = Pairs([0.1, 0.3, 0.5, 0.7], [0.2, 0.6, 0.8, 0.9]);

    [Fact]
    public void Roc_curve_steps_through_every_distance()
    {
        IReadOnlyList<RocPoint> roc = PairMetrics.Roc(Example);
        (double Far, double Tar)[] expected = [(0, 0), (0, .25), (.25, .25), (.25, .5), (.25, .75), (.5, .75), (.5, 1), (.75, 1), (1, 1)];
        Assert.Equal(expected, roc.Select(p => (p.Far, p.Tar)));
        // Each point's threshold reproduces it under the strict rule d < τ.
        foreach (RocPoint p in roc)
        {
            Assert.Equal(p.Far, Example.Count(s => !s.Same && s.Distance < p.Threshold) / 4.0);
            Assert.Equal(p.Tar, Example.Count(s => s.Same && s.Distance < p.Threshold) / 4.0);
        }
    }

    [Fact]
    public void Auc_equals_the_hand_counted_probability_that_a_same_pair_is_closer()
    {
        // (s, d) with s < d: 0.1 beats 4, 0.3 beats 3, 0.5 beats 3, 0.7 beats 2 → 12 of 16.
        Assert.Equal(0.75, PairMetrics.Auc(PairMetrics.Roc(Example)), 12);
    }

    [Fact]
    public void Ties_between_same_and_different_count_one_half()
    {
        var pairs = Pairs([0.2, 0.5], [0.5, 0.8]);
        // (0.2,0.5)=1, (0.2,0.8)=1, (0.5,0.5)=½, (0.5,0.8)=1 → 3.5 / 4
        Assert.Equal(0.875, PairMetrics.Auc(PairMetrics.Roc(pairs)), 12);
        // At τ = 0.5 both tied pairs are rejected (strict): 0.2 accepted right, 0.5 same wrong, both differents right.
        Assert.Equal(0.75, PairMetrics.Accuracy(pairs, 0.5));
    }

    [Fact]
    public void Perfect_reversed_and_random_scorers()
    {
        var perfect = Pairs([0.1, 0.2, 0.3], [0.4, 0.5]);
        Assert.Equal(1.0, PairMetrics.Auc(PairMetrics.Roc(perfect)));
        Assert.Equal(0.0, PairMetrics.Eer(PairMetrics.Roc(perfect)));
        Assert.Equal(new ThresholdAccuracy(0.35, 1.0), PairMetrics.BestAccuracy(perfect));

        var reversed = Pairs([0.4, 0.5], [0.1, 0.2, 0.3]);
        Assert.Equal(0.0, PairMetrics.Auc(PairMetrics.Roc(reversed)));

        var random = new Random(5);
        var noise = Enumerable.Range(0, 20_000).Select(i => new ScoredPair(i % 2 == 0, random.NextDouble())).ToList();
        IReadOnlyList<RocPoint> roc = PairMetrics.Roc(noise);
        Assert.InRange(PairMetrics.Auc(roc), 0.49, 0.51);
        Assert.InRange(PairMetrics.Eer(roc), 0.48, 0.52);
    }

    [Fact]
    public void Eer_at_an_exact_crossing()
    {
        // Between 0.5 and 0.6 one of four different pairs is accepted and one of four same pairs rejected.
        Assert.Equal(0.25, PairMetrics.Eer(PairMetrics.Roc(Example)), 12);
    }

    [Fact]
    public void Eer_interpolates_between_roc_points()
    {
        // Sorted 0.1S 0.2S 0.3D 0.4D 0.5D 0.6S 0.9D. FAR − FRR goes from −1/12 at (¼, ⅔) to +1/6 at (½, ⅔):
        // a third of the way, FAR = ¼ + ⅓·¼ = ⅓ = FRR.
        var pairs = Pairs([0.1, 0.2, 0.6], [0.3, 0.4, 0.5, 0.9]);
        Assert.Equal(1.0 / 3, PairMetrics.Eer(PairMetrics.Roc(pairs)), 12);
    }

    [Fact]
    public void Best_accuracy_threshold_by_hand_with_ties_going_to_the_smaller_threshold()
    {
        // Accuracy after accepting up to each distance: 5,4,5,6,5,6,5,4 of 8. Best 6/8 at τ = 0.55 (between 0.5 and
        // 0.6) and at τ = 0.75; the smaller wins.
        ThresholdAccuracy best = PairMetrics.BestAccuracy(Example);
        Assert.Equal(0.55, best.Threshold, 12);
        Assert.Equal(0.75, best.Accuracy);
        Assert.Equal(0.75, PairMetrics.Accuracy(Example, best.Threshold));
    }

    [Fact]
    public void Threshold_for_a_target_far_by_hand()
    {
        double[] different = Enumerable.Range(0, 10).Select(i => 0.5 + 0.1 * i).ToArray(); // 0.5 … 1.4
        var pairs = Pairs([0.3, 0.55, 0.65, 0.95], different);

        FarOperatingPoint tenPercent = PairMetrics.ThresholdForFar(pairs, 0.1);
        // One false accept allowed → τ = 2nd smallest different distance (0.6): accepts 0.5 only, and same 0.3, 0.55.
        Assert.Equal((0.6, 0.1, 0.5), (Math.Round(tenPercent.Threshold, 12), tenPercent.Far, tenPercent.Tar));
        FarOperatingPoint twenty = PairMetrics.ThresholdForFar(pairs, 0.2);
        Assert.Equal((0.7, 0.2, 0.75), (Math.Round(twenty.Threshold, 12), twenty.Far, twenty.Tar));
        Assert.Equal((4, 10), (twenty.SamePairs, twenty.DifferentPairs));
    }

    [Fact]
    public void Far_target_with_tied_different_distances_stays_under_the_target()
    {
        var pairs = Pairs([0.1, 0.45], [0.5, 0.5, 0.7, 0.8, 0.9]);
        FarOperatingPoint point = PairMetrics.ThresholdForFar(pairs, 0.2); // one accept allowed, but two tie at 0.5
        Assert.Equal(0.5, point.Threshold);
        Assert.Equal(0.0, point.Far);
        Assert.Equal(1.0, point.Tar);
    }

    [Fact]
    public void A_far_the_data_cannot_support_says_how_many_pairs_are_needed()
    {
        var pairs = Pairs([0.1], Enumerable.Range(0, 500).Select(i => 1.0 + i).ToArray());
        var e = Assert.Throws<NotEnoughPairsException>(() => PairMetrics.ThresholdForFar(pairs, 0.001));
        Assert.Equal((1000, 500), (e.Needed, e.Available));
        Assert.Contains("needs at least 1000 different-person pairs", e.Message);
        Assert.Equal(3, e.ExitCode);
        Assert.Equal(1000, PairMetrics.MinimumNegatives(0.001));
        Assert.Equal(100, PairMetrics.MinimumNegatives(0.01));
        Assert.Equal(4, PairMetrics.MinimumNegatives(0.3));
    }

    [Fact]
    public void Metrics_refuse_one_sided_or_nan_input()
    {
        Assert.Throws<ArgumentException>(() => PairMetrics.Roc(Pairs([0.1, 0.2], [])));
        Assert.Throws<ArgumentException>(() => PairMetrics.BestAccuracy(Pairs([], [0.1])));
        Assert.Throws<ArgumentException>(() => PairMetrics.Roc(Pairs([double.NaN], [0.1])));
    }
}
