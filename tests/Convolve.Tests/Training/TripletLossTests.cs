using Convolve.Training;
using static TorchSharp.torch;

namespace Convolve.Tests.Training;

/// <summary>
/// Miners and the triplet loss on a tiny fixed batch whose squared distances are worked out by hand.
/// One-dimensional embeddings x = [0, 0.5, 1, 3], labels [0, 0, 1, 1]:
/// d01 = 0.25, d02 = 1, d03 = 9, d12 = 0.25, d13 = 6.25, d23 = 4.
/// </summary>
public class TripletLossTests
{
    private static readonly int[] Labels = { 0, 0, 1, 1 };
    private static Tensor Embeddings() => tensor(new double[] { 0, 0.5, 1, 3 }, new long[] { 4, 1 });
    private static double[,] Distances() => PairwiseDistances.ToMatrix(PairwiseDistances.SquaredEuclidean(Embeddings()));

    [Fact]
    public void Pairwise_distances_are_squared_euclidean()
    {
        var d = Distances();
        Assert.Equal(0.25, d[0, 1], 12);
        Assert.Equal(1.0, d[0, 2], 12);
        Assert.Equal(9.0, d[0, 3], 12);
        Assert.Equal(0.25, d[1, 2], 12);
        Assert.Equal(6.25, d[1, 3], 12);
        Assert.Equal(4.0, d[2, 3], 12);
        Assert.Equal(0.0, d[3, 3], 12);
    }

    [Fact]
    public void Batch_all_takes_every_valid_triplet_and_averages_over_them()
    {
        var triplets = TripletMiner.Mine(MiningStrategy.All, Distances(), Labels, 0.5, new Random(0));
        Assert.Equal(8, triplets.Count); // 4 ordered positive pairs × 2 negatives
        Assert.All(triplets, t => { Assert.Equal(Labels[t.Anchor], Labels[t.Positive]); Assert.NotEqual(Labels[t.Anchor], Labels[t.Negative]); Assert.NotEqual(t.Anchor, t.Positive); });

        // Active by hand (α = 0.5): (1,0,2): 0.25−0.25+0.5 = 0.5; (2,3,0): 4−1+0.5 = 3.5; (2,3,1): 4−0.25+0.5 = 4.25.
        var mean = TripletLoss.Compute(Embeddings(), triplets, 0.5);
        Assert.Equal(8.25 / 8, mean.Loss.item<double>(), 12);
        Assert.Equal(3.0 / 8, mean.ActiveFraction, 12);
        Assert.Equal((4 * 0.25 + 4 * 4.0) / 8, mean.MeanPositiveDistance, 12);
        Assert.Equal((1 + 9 + 0.25 + 6.25 + 1 + 0.25 + 9 + 6.25) / 8, mean.MeanNegativeDistance, 12);

        var sum = TripletLoss.Compute(Embeddings(), triplets, 0.5, LossReduction.Sum);
        Assert.Equal(8.25, sum.Loss.item<double>(), 12);
    }

    [Fact]
    public void Batch_hard_takes_the_farthest_positive_and_closest_negative_per_anchor()
    {
        var triplets = TripletMiner.Mine(MiningStrategy.Hard, Distances(), Labels, 0.5, new Random(0));
        Assert.Equal(new[] { new Triplet(0, 1, 2), new Triplet(1, 0, 2), new Triplet(2, 3, 1), new Triplet(3, 2, 1) }, triplets);
        // Losses by hand: 0.25−1+0.5 → 0; 0.25−0.25+0.5 = 0.5; 4−0.25+0.5 = 4.25; 4−6.25+0.5 → 0.
        var r = TripletLoss.Compute(Embeddings(), triplets, 0.5);
        Assert.Equal(4.75 / 4, r.Loss.item<double>(), 12);
        Assert.Equal(0.5, r.ActiveFraction, 12);
    }

    [Fact]
    public void Semi_hard_takes_the_closest_negative_strictly_inside_the_margin_band()
    {
        // x = [0, 0.5, 0.9, 1.0], labels [0, 0, 1, 2], α = 1.
        // (0,1): d(A,P) = 0.25, band (0.25, 1.25) holds d02 = 0.81 and d03 = 1.0 → the closer, 2.
        // (1,0): d(A,P) = 0.25; d12 = 0.16 is hard (below d(A,P)), d13 = 0.25 is on the boundary → none.
        var e = tensor(new double[] { 0, 0.5, 0.9, 1.0 }, new long[] { 4, 1 });
        var d = PairwiseDistances.ToMatrix(PairwiseDistances.SquaredEuclidean(e));
        var triplets = TripletMiner.Mine(MiningStrategy.SemiHard, d, new[] { 0, 0, 1, 2 }, 1.0, new Random(0));
        Assert.Equal(new[] { new Triplet(0, 1, 2) }, triplets);
        var r = TripletLoss.Compute(e, triplets, 1.0);
        Assert.Equal(0.25 - 0.81 + 1.0, r.Loss.item<double>(), 10);
        Assert.Equal(1.0, r.ActiveFraction);
    }

    [Fact]
    public void Random_mining_takes_one_valid_negative_per_positive_pair_reproducibly()
    {
        var d = Distances();
        var a = TripletMiner.Mine(MiningStrategy.Random, d, Labels, 0.5, new Random(7));
        var b = TripletMiner.Mine(MiningStrategy.Random, d, Labels, 0.5, new Random(7));
        Assert.Equal(a, b);
        Assert.Equal(new[] { (0, 1), (1, 0), (2, 3), (3, 2) }, a.Select(t => (t.Anchor, t.Positive)));
        Assert.All(a, t => Assert.NotEqual(Labels[t.Anchor], Labels[t.Negative]));
        // Over many draws both negatives of anchor 0 occur.
        var seen = new HashSet<int>();
        var rng = new Random(1);
        for (int i = 0; i < 50; i++) seen.Add(TripletMiner.Mine(MiningStrategy.Random, d, Labels, 0.5, rng)[0].Negative);
        Assert.Equal(new[] { 2, 3 }, seen.Order());
    }

    [Theory]
    [InlineData(new[] { 0, 1, 2, 3 })] // no identity twice: no positive
    [InlineData(new[] { 5, 5, 5, 5 })] // one identity: no negative
    public void No_valid_triplet_gives_no_triplet_and_a_zero_loss_that_still_backpropagates(int[] labels)
    {
        var e = Embeddings().requires_grad_(true);
        foreach (var strategy in Enum.GetValues<MiningStrategy>())
        {
            var triplets = TripletMiner.Mine(strategy, Distances(), labels, 0.5, new Random(0));
            Assert.Empty(triplets);
            var r = TripletLoss.Compute(e, triplets, 0.5);
            Assert.Equal(0.0, r.Loss.item<double>());
            Assert.True(double.IsNaN(r.ActiveFraction));
            r.Loss.backward();
            Assert.Equal(0.0, e.grad!.abs().sum().item<double>());
            e.grad.zero_();
        }
    }

    [Fact]
    public void Triplet_loss_gradient_matches_central_finite_differences()
    {
        var rng = new Random(3);
        var values = Enumerable.Range(0, 6 * 3).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        int[] labels = { 0, 0, 1, 1, 2, 2 };
        const double margin = 0.3;
        var triplets = TripletMiner.BatchAll(labels);

        double Loss(double[] v)
        {
            using var scope = NewDisposeScope();
            return TripletLoss.Compute(tensor(v, new long[] { 6, 3 }), triplets, margin).Loss.item<double>();
        }

        var x = tensor(values, new long[] { 6, 3 }).requires_grad_(true);
        var result = TripletLoss.Compute(x, triplets, margin);
        Assert.InRange(result.ActiveFraction, 0.1, 0.9); // both active and inactive triplets are exercised
        result.Loss.backward();
        var analytic = x.grad!.data<double>().ToArray();

        // No triplet may sit on the hinge's kink, where the derivative is undefined.
        var d = PairwiseDistances.ToMatrix(PairwiseDistances.SquaredEuclidean(tensor(values, new long[] { 6, 3 })));
        Assert.All(triplets, t => Assert.True(Math.Abs(d[t.Anchor, t.Positive] - d[t.Anchor, t.Negative] + margin) > 1e-3));

        const double h = 1e-6;
        for (int i = 0; i < values.Length; i++)
        {
            var plus = (double[])values.Clone(); plus[i] += h;
            var minus = (double[])values.Clone(); minus[i] -= h;
            double numeric = (Loss(plus) - Loss(minus)) / (2 * h);
            Assert.Equal(numeric, analytic[i], 6);
        }
        Assert.Contains(analytic, g => Math.Abs(g) > 1e-3);
    }
}
