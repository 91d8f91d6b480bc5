using static TorchSharp.torch;

namespace Convolve.Training;

/// <summary>How the per-triplet losses are combined into J.</summary>
public enum LossReduction
{
    /// <summary>J = (1/T) Σᵢ L(A⁽ⁱ⁾, P⁽ⁱ⁾, N⁽ⁱ⁾) over the T mined triplets (the default: independent of batch size).</summary>
    Mean,
    /// <summary>J = Σᵢ L(A⁽ⁱ⁾, P⁽ⁱ⁾, N⁽ⁱ⁾), as written in the FaceNet paper.</summary>
    Sum,
}

/// <summary>The loss of one step and the figures logged with it.</summary>
/// <param name="Loss">J, a scalar tensor attached to the graph (0 when there is nothing to learn from).</param>
/// <param name="Triplets">Number of mined triplets (or pairs for the binary head).</param>
/// <param name="ActiveFraction">Share of mined triplets with L &gt; 0 (NaN when none were mined).</param>
/// <param name="MeanPositiveDistance">Mean squared distance d(A,P) over the mined triplets (NaN when none).</param>
/// <param name="MeanNegativeDistance">Mean squared distance d(A,N) over the mined triplets (NaN when none).</param>
public sealed record LossResult(Tensor Loss, int Triplets, double ActiveFraction, double MeanPositiveDistance, double MeanNegativeDistance);

/// <summary>
/// The triplet loss of FaceNet (Schroff et al. 2015) with squared Euclidean distances d.
/// </summary>
public static class TripletLoss
{
    /// <summary>
    /// L(A,P,N) = max(‖f(A)−f(P)‖² − ‖f(A)−f(N)‖² + α, 0), reduced over <paramref name="triplets"/> by
    /// <paramref name="reduction"/>. With no triplet, J is a zero that still belongs to the graph (backward works).
    /// </summary>
    public static LossResult Compute(Tensor embeddings, IReadOnlyList<Triplet> triplets, double margin, LossReduction reduction = LossReduction.Mean)
    {
        if (triplets.Count == 0)
            return new LossResult(embeddings.sum().mul(Nn.Scalars.Of(0.0)).abs(), 0, double.NaN, double.NaN, double.NaN);
        using var scope = NewDisposeScope();
        var a = embeddings.index_select(0, Indices(triplets, t => t.Anchor));
        var p = embeddings.index_select(0, Indices(triplets, t => t.Positive));
        var n = embeddings.index_select(0, Indices(triplets, t => t.Negative));
        var dap = a.sub(p).pow(Nn.Scalars.Of(2)).sum(1);
        var dan = a.sub(n).pow(Nn.Scalars.Of(2)).sum(1);
        using var alpha = TorchSharp.ScalarExtensionMethods.ToScalar(margin);   // a using local: alive through the native call (see Nn.Scalars)
        var perTriplet = nn.functional.relu(dap.sub(dan).add(alpha, Nn.Scalars.One)); // max(d(A,P) − d(A,N) + α, 0)
        var j = reduction == LossReduction.Sum ? perTriplet.sum() : perTriplet.mean();
        double active = perTriplet.gt(Nn.Scalars.Of(0)).to_type(ScalarType.Float64).mean().item<double>();
        double meanDap = dap.detach().to_type(ScalarType.Float64).mean().item<double>();
        double meanDan = dan.detach().to_type(ScalarType.Float64).mean().item<double>();
        return new LossResult(j.MoveToOuterDisposeScope(), triplets.Count, active, meanDap, meanDan);
    }

    private static Tensor Indices(IReadOnlyList<Triplet> triplets, Func<Triplet, int> pick)
    {
        var idx = new long[triplets.Count];
        for (int i = 0; i < idx.Length; i++) idx[i] = pick(triplets[i]);
        return tensor(idx, ScalarType.Int64);
    }
}
