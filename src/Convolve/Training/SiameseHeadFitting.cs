using Convolve.Data;
using Convolve.Nn.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Convolve.Training;

/// <summary>Settings of <see cref="SiameseHeadFitting.Fit"/>.</summary>
public sealed record HeadFittingOptions
{
    /// <summary>The element-wise comparison the logistic unit weighs.</summary>
    public PairFeature Feature { get; init; } = PairFeature.AbsoluteDifference;

    /// <summary>Optimisation steps (Adam).</summary>
    public int Steps { get; init; } = 2000;

    /// <summary>P: identities per batch.</summary>
    public int IdentitiesPerBatch { get; init; } = 32;

    /// <summary>K: encodings per identity in a batch.</summary>
    public int SamplesPerIdentity { get; init; } = 2;

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 1e-2;

    /// <summary>Seed of the batches and pair draws.</summary>
    public int Seed { get; init; }
}

/// <summary>
/// Trains only the binary Siamese head on fixed encodings, e.g. those of the pretrained face network: the "logistic
/// unit on |f(xᵢ) − f(xⱼ)|" variant of verification without changing f. Pairs are mined from P×K batches, balanced
/// between same and different, and fitted with binary cross-entropy (<see cref="BinaryPairLoss"/>).
/// </summary>
public static class SiameseHeadFitting
{
    /// <summary>
    /// A head fitted on <paramref name="encodings"/> labelled by <paramref name="identities"/> (any integers; identities with
    /// one encoding only serve as nothing). <paramref name="progress"/> gets (step, loss) after each step.
    /// </summary>
    public static SiameseHead Fit(IReadOnlyList<float[]> encodings, IReadOnlyList<int> identities, HeadFittingOptions? options = null,
        Action<int, double>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new HeadFittingOptions();
        if (encodings.Count != identities.Count) throw new ArgumentException("encodings and identities differ in length");
        if (encodings.Count == 0) throw new ArgumentException("no encodings to fit on");
        int size = encodings[0].Length;
        var ids = identities.Distinct().Order().Select((id, index) => (id, index)).ToDictionary(p => p.id, p => p.index);
        var data = IdentityDataset.InMemory(encodings.Select((e, i) => (ids[identities[i]], e)).ToList(), ids.Count, [1, size], Modality.Signal);
        var sampler = new PkBatchSampler(data, options.IdentitiesPerBatch, options.SamplesPerIdentity, options.Seed, batchesPerEpoch: options.Steps);

        var head = new SiameseHead(size, options.Feature);
        // Start at "a larger difference means less likely the same", with the decision near the typical distance.
        head.SetWeights(Enumerable.Repeat(-1f, size).ToArray(), (float)StartBias(encodings, options.Feature));
        using var optimizer = new Adam(head.parameters(), options.LearningRate);
        int step = 0;
        foreach (var batch in sampler.Batches(0))
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var rng = new Random(SeedMix.Of(options.Seed, 3, step));
            var input = tensor(batch.SelectMany(i => encodings[i]).ToArray(), [batch.Length, size]);
            var labels = batch.Select(i => data.Samples[i].Identity).ToArray();
            var result = BinaryPairLoss.Compute(head, input, PairMiner.Balanced(labels, rng));
            optimizer.ZeroGrad();
            result.Loss.backward();
            optimizer.Step();
            progress?.Invoke(step, result.Loss.item<float>());
            step++;
        }
        head.eval();
        return head;
    }

    // Σₖ φₖ of a few consecutive encodings: the logit −Σφ + bias then starts near 0 for a typical pair.
    private static double StartBias(IReadOnlyList<float[]> encodings, PairFeature feature)
    {
        int n = Math.Min(encodings.Count - 1, 64);
        if (n <= 0) return 0;
        double total = 0;
        for (int i = 0; i < n; i++)
            for (int k = 0; k < encodings[i].Length; k++)
            {
                double a = encodings[i][k], b = encodings[i + 1][k];
                total += feature == PairFeature.AbsoluteDifference ? Math.Abs(a - b) : (a - b) * (a - b) / (Math.Abs(a) + Math.Abs(b) + SiameseHead.ChiSquareEpsilon);
            }
        return total / n;
    }
}
