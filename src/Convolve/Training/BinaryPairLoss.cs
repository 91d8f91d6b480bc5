using static TorchSharp.torch;

namespace Convolve.Training;

/// <summary>Binary cross-entropy of the Siamese head on labelled pairs.</summary>
public static class BinaryPairLoss
{
    /// <summary>
    /// J = −(1/M) Σ [y log ŷ + (1−y) log(1−ŷ)] over the M <paramref name="pairs"/>, ŷ = σ(head logit), y = 1 for
    /// the same identity. In the result, ActiveFraction is the share of pairs still misclassified at ŷ = 0.5 and
    /// the two mean distances are the mean squared distances of same and of different pairs.
    /// </summary>
    public static LossResult Compute(SiameseHead head, Tensor embeddings, IReadOnlyList<LabeledPair> pairs)
    {
        if (pairs.Count == 0)
            return new LossResult(embeddings.sum().mul(Nn.Scalars.Of(0.0)).add(head.parameters().First().sum().mul(Nn.Scalars.Of(0.0)), Nn.Scalars.One), 0, double.NaN, double.NaN, double.NaN);
        using var scope = NewDisposeScope();
        var first = embeddings.index_select(0, tensor(pairs.Select(p => (long)p.First).ToArray()));
        var second = embeddings.index_select(0, tensor(pairs.Select(p => (long)p.Second).ToArray()));
        var target = tensor(pairs.Select(p => p.Same ? 1f : 0f).ToArray()).to_type(embeddings.dtype);
        var logits = head.forward(first, second);
        var loss = nn.functional.binary_cross_entropy_with_logits(logits, target);
        double wrong = logits.detach().gt(Nn.Scalars.Of(0)).to_type(embeddings.dtype).ne(target).to_type(ScalarType.Float64).mean().item<double>();
        var d = first.sub(second).pow(Nn.Scalars.Of(2)).sum(1).detach().to_type(ScalarType.Float64);
        var isSame = target.gt(Nn.Scalars.Of(0.5));
        double meanSame = d.masked_select(isSame).mean().item<double>();
        double meanDiff = d.masked_select(isSame.logical_not()).mean().item<double>();
        return new LossResult(loss.MoveToOuterDisposeScope(), pairs.Count, wrong, meanSame, meanDiff);
    }
}
