using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Convolve.Training;

/// <summary>Which element-wise comparison of two encodings the logistic unit weighs.</summary>
public enum PairFeature
{
    /// <summary>φₖ = |f(xᵢ)ₖ − f(xⱼ)ₖ|.</summary>
    AbsoluteDifference,
    /// <summary>
    /// φₖ = (f(xᵢ)ₖ − f(xⱼ)ₖ)² / (|f(xᵢ)ₖ| + |f(xⱼ)ₖ| + ε), ε = <see cref="SiameseHead.ChiSquareEpsilon"/>.
    /// For non-negative encodings this is the χ² form (f(xᵢ)ₖ − f(xⱼ)ₖ)² / (f(xᵢ)ₖ + f(xⱼ)ₖ); the absolute values
    /// keep it finite and non-negative for signed (L2-normalised) encodings, where fᵢ + fⱼ can be 0 or negative.
    /// </summary>
    ChiSquare,
}

/// <summary>
/// The binary Siamese head (Taigman et al. 2014): ŷ = σ(Σₖ wₖ φₖ(f(xᵢ), f(xⱼ)) + b), the probability that two
/// encodings show the same identity. <see cref="forward"/> returns the logit; apply σ for the probability.
/// </summary>
public sealed class SiameseHead : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>ε in the χ² denominator: keeps 0/0 (both components zero) at 0 instead of NaN.</summary>
    public const double ChiSquareEpsilon = 1e-6;

    private readonly Linear logistic;

    /// <summary>A head for encodings of length <paramref name="embeddingSize"/>.</summary>
    public SiameseHead(int embeddingSize, PairFeature feature) : base(nameof(SiameseHead))
    {
        Feature = feature;
        logistic = nn.Linear(embeddingSize, 1);
        RegisterComponents();
    }

    /// <summary>The element-wise comparison used.</summary>
    public PairFeature Feature { get; }

    /// <summary>φ(f(xᵢ), f(xⱼ)) row by row: [N, D].</summary>
    public Tensor Features(Tensor first, Tensor second)
    {
        using var scope = NewDisposeScope();
        var diff = first.sub(second);
        var phi = Feature == PairFeature.AbsoluteDifference
            ? diff.abs()
            : diff.pow(Nn.Scalars.Of(2)).div(first.abs().add(second.abs(), Nn.Scalars.One).add(Nn.Scalars.Of(ChiSquareEpsilon), Nn.Scalars.One));
        return phi.MoveToOuterDisposeScope();
    }

    /// <summary>The logit Σₖ wₖ φₖ + b for each pair of rows: [N].</summary>
    public override Tensor forward(Tensor first, Tensor second)
    {
        using var scope = NewDisposeScope();
        return logistic.forward(Features(first, second)).squeeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>The logits of pairs of encodings (higher = more likely the same), in evaluation mode and without gradients.</summary>
    public double[] Score(IReadOnlyList<(float[] First, float[] Second)> pairs)
    {
        if (pairs.Count == 0) return [];
        bool wasTraining = training;
        eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            int d = pairs[0].First.Length;
            var a = tensor(pairs.SelectMany(p => p.First).ToArray(), new long[] { pairs.Count, d });
            var b = tensor(pairs.SelectMany(p => p.Second).ToArray(), new long[] { pairs.Count, d });
            return forward(a, b).to_type(ScalarType.Float64).data<double>().ToArray();
        }
        finally { train(wasTraining); }
    }

    /// <summary>Sets w and b (tests and hand-made heads).</summary>
    public void SetWeights(float[] weights, float bias)
    {
        using var noGrad = no_grad();
        using var w = tensor(weights, new long[] { 1, weights.Length });
        using var b = tensor(new[] { bias });
        logistic.weight!.copy_(w);
        logistic.bias!.copy_(b);
    }
}
