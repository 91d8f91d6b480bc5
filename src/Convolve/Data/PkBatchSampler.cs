namespace Convolve.Data;

/// <summary>
/// P×K batches (Hermans et al. 2017): P distinct identities, K samples of each, so every batch holds positives
/// and negatives for online triplet mining. Identities with fewer than 2 samples are never drawn; an identity
/// with fewer than K samples contributes all of them plus repeats drawn at random.
/// </summary>
public sealed class PkBatchSampler
{
    private readonly IdentityDataset data;
    private readonly int[] eligible;

    /// <summary>A sampler of <paramref name="identities"/> × <paramref name="samplesPerIdentity"/> batches.</summary>
    public PkBatchSampler(IdentityDataset data, int identities, int samplesPerIdentity, int seed, int batchesPerEpoch = 0)
    {
        if (samplesPerIdentity < 2) throw new ArgumentOutOfRangeException(nameof(samplesPerIdentity), "K must be at least 2 (a positive needs a second sample)");
        this.data = data;
        eligible = Enumerable.Range(0, data.Identities.Count).Where(i => data.SamplesOf(i).Count >= 2).ToArray();
        if (eligible.Length < 2)
            throw new InvalidInputException(null, $"training needs at least 2 identities with 2 or more samples each; found {eligible.Length}");
        P = Math.Min(identities, eligible.Length);
        if (P < 2) throw new ArgumentOutOfRangeException(nameof(identities), "P must be at least 2 (a negative needs another identity)");
        K = samplesPerIdentity;
        Seed = seed;
        int samples = eligible.Sum(i => data.SamplesOf(i).Count);
        BatchesPerEpoch = batchesPerEpoch > 0 ? batchesPerEpoch : Math.Max(1, samples / (P * K));
    }

    /// <summary>Identities per batch (capped at the number of eligible identities).</summary>
    public int P { get; }

    /// <summary>Samples per identity.</summary>
    public int K { get; }

    /// <summary>The seed; batches of an epoch depend on (seed, epoch) only.</summary>
    public int Seed { get; }

    /// <summary>Batches in one epoch.</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>The batches of <paramref name="epoch"/>: sample indices, K consecutive per identity.</summary>
    public IEnumerable<int[]> Batches(int epoch)
    {
        var rng = new Random(SeedMix.Of(Seed, epoch, -1));
        for (int b = 0; b < BatchesPerEpoch; b++)
        {
            var ids = eligible.ToArray();
            rng.Shuffle(ids);
            var batch = new int[P * K];
            for (int p = 0; p < P; p++)
            {
                var own = data.SamplesOf(ids[p]).ToArray();
                rng.Shuffle(own);
                for (int k = 0; k < K; k++)
                    batch[p * K + k] = k < own.Length ? own[k] : own[rng.Next(own.Length)];
            }
            yield return batch;
        }
    }
}

/// <summary>Derives independent, process-stable seeds from (seed, a, b) (string.GetHashCode is randomised per process; this is not).</summary>
public static class SeedMix
{
    /// <summary>A 31-bit seed mixing the three numbers (SplitMix64 finaliser).</summary>
    public static int Of(int seed, int a, int b)
    {
        ulong x = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)a * 0xBF58476D1CE4E5B9UL ^ (ulong)(uint)b * 0x94D049BB133111EBUL;
        x ^= x >> 30; x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 27; x *= 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return (int)(x & 0x7FFFFFFF);
    }
}
