using Convolve.Training;
using static TorchSharp.torch;

namespace Convolve.Tests.Training;

/// <summary>The binary Siamese head, its BCE loss and the balanced pair miner against values computed by hand.</summary>
public class SiameseHeadTests
{
    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    [Fact]
    public void Absolute_difference_head_computes_sigma_of_weighted_abs_differences()
    {
        using var head = new SiameseHead(2, PairFeature.AbsoluteDifference);
        head.SetWeights(new[] { 2f, -1f }, 0.5f);
        var fi = tensor(new[] { 0.5f, -0.5f }, new long[] { 1, 2 });
        var fj = tensor(new[] { 0.1f, 0.3f }, new long[] { 1, 2 });
        // φ = [0.4, 0.8]; z = 2·0.4 − 1·0.8 + 0.5 = 0.5.
        double z = head.forward(fi, fj).item<float>();
        Assert.Equal(0.5, z, 5);
        Assert.Equal(0.6224593, Sigmoid(z), 5);
    }

    [Fact]
    public void Chi_square_head_matches_the_formula_and_stays_finite_at_a_zero_denominator()
    {
        using var head = new SiameseHead(3, PairFeature.ChiSquare);
        head.SetWeights(new[] { 1f, 2f, 3f }, -0.1f);
        var fi = tensor(new[] { 0.2f, 0.6f, 0f }, new long[] { 1, 3 }).requires_grad_(true);
        var fj = tensor(new[] { 0.6f, 0.2f, 0f }, new long[] { 1, 3 }).requires_grad_(true);
        // φ = [0.16/0.8, 0.16/0.8, 0/(0+ε)] = [0.2, 0.2, 0]; z = 0.2 + 0.4 + 0 − 0.1 = 0.5.
        var phi = head.Features(fi, fj).data<float>().ToArray();
        Assert.Equal(0.2, phi[0], 5);
        Assert.Equal(0.2, phi[1], 5);
        Assert.Equal(0.0, phi[2]);
        var z = head.forward(fi, fj);
        Assert.Equal(0.5, z.item<float>(), 5);
        z.backward();
        Assert.All(fi.grad!.data<float>().ToArray().Concat(fj.grad!.data<float>().ToArray()), g => Assert.True(float.IsFinite(g)));
    }

    [Fact]
    public void Binary_cross_entropy_of_pairs_matches_the_formula()
    {
        using var head = new SiameseHead(1, PairFeature.AbsoluteDifference);
        head.SetWeights(new[] { -2f }, 1f);
        // 1-D encodings [0, 0.1, 1, 3]; z = 1 − 2|fi − fj|.
        var e = tensor(new[] { 0f, 0.1f, 1f, 3f }, new long[] { 4, 1 });
        var pairs = new[] { new LabeledPair(0, 1, true), new LabeledPair(2, 3, false), new LabeledPair(0, 2, false), new LabeledPair(1, 2, true) };
        double[] zs = { 1 - 0.2, 1 - 4, 1 - 2, 1 - 1.8 };
        bool[] ys = { true, false, false, true };
        double expected = zs.Select((z, i) => ys[i] ? -Math.Log(Sigmoid(z)) : -Math.Log(1 - Sigmoid(z))).Average();
        var r = BinaryPairLoss.Compute(head, e, pairs);
        Assert.Equal(expected, r.Loss.item<float>(), 5);
        Assert.Equal(0.25, r.ActiveFraction, 6); // only the last same pair (z = −0.8) is on the wrong side
        Assert.Equal((0.01 + 0.81) / 2, r.MeanPositiveDistance, 5);
        Assert.Equal((4 + 1) / 2.0, r.MeanNegativeDistance, 5);
    }

    [Fact]
    public void Pair_miner_returns_every_same_pair_and_as_many_distinct_different_pairs()
    {
        int[] labels = { 0, 0, 1, 1, 2 };
        var pairs = PairMiner.Balanced(labels, new Random(4));
        var same = pairs.Where(p => p.Same).ToList();
        var diff = pairs.Where(p => !p.Same).ToList();
        Assert.Equal(new[] { new LabeledPair(0, 1, true), new LabeledPair(2, 3, true) }, same);
        Assert.Equal(2, diff.Count);
        Assert.Equal(2, diff.Distinct().Count());
        Assert.All(diff, p => Assert.NotEqual(labels[p.First], labels[p.Second]));
        Assert.Equal(pairs, PairMiner.Balanced(labels, new Random(4)));
        Assert.Empty(PairMiner.Balanced(new[] { 0, 1, 2 }, new Random(0)));
        Assert.Empty(PairMiner.Balanced(new[] { 3, 3 }, new Random(0)));
    }
}
