using Convolve.Data;

namespace Convolve.Training;

/// <summary>Balanced same/different pairs of held-out identities, read once and scored every epoch.</summary>
public sealed class ValidationSet
{
    private readonly Dictionary<int, float[]> samples;
    private readonly List<LabeledPair> pairs;

    private ValidationSet(Dictionary<int, float[]> samples, List<LabeledPair> pairs)
    {
        this.samples = samples;
        this.pairs = pairs;
    }

    /// <summary>The pairs (indices into the validation dataset).</summary>
    public IReadOnlyList<LabeledPair> Pairs => pairs;

    /// <summary>
    /// Up to <paramref name="maxPairs"/>/2 same-identity pairs (a seeded sample of all of them) and as many
    /// different-identity pairs drawn at random; unreadable samples are reported and left out.
    /// </summary>
    public static ValidationSet Build(IdentityDataset data, int maxPairs, int seed, Action<string>? warn = null)
    {
        var rng = new Random(SeedMix.Of(seed, 3, 0));
        var loaded = new Dictionary<int, float[]>();
        bool Readable(int i)
        {
            if (loaded.ContainsKey(i)) return true;
            try { loaded[i] = data.Load(i); return true; }
            catch (InvalidInputException e) { warn?.Invoke($"skipped: {e.Message}"); return false; }
        }

        var same = new List<LabeledPair>();
        for (int id = 0; id < data.Identities.Count; id++)
        {
            var own = data.SamplesOf(id);
            for (int a = 0; a < own.Count; a++)
                for (int b = a + 1; b < own.Count; b++) same.Add(new LabeledPair(own[a], own[b], true));
        }
        rng.Shuffle(CollectionsMarshalSpan(same));
        var chosen = new List<LabeledPair>();
        foreach (var p in same)
        {
            if (chosen.Count >= maxPairs / 2) break;
            if (Readable(p.First) && Readable(p.Second)) chosen.Add(p);
        }
        int wanted = chosen.Count, attempts = 0;
        int n = data.Samples.Count;
        while (chosen.Count < 2 * wanted && attempts++ < 50 * wanted)
        {
            int a = rng.Next(n), b = rng.Next(n);
            if (data.Samples[a].Identity == data.Samples[b].Identity) continue;
            if (Readable(a) && Readable(b)) chosen.Add(new LabeledPair(a, b, false));
        }
        if (wanted == 0 || chosen.Count == wanted)
            throw new InvalidInputException(null, "validation needs identities with 2 or more readable samples and at least 2 identities");
        return new ValidationSet(loaded, chosen);
    }

    /// <summary>Encodes the needed samples with <paramref name="model"/> and computes AUC, EER and best accuracy.</summary>
    public VerificationMetrics Evaluate(SimilarityModel model)
    {
        var keys = samples.Keys.ToArray();
        var encodings = model.Encode(keys.Select(k => samples[k]).ToArray());
        var byIndex = keys.Select((k, i) => (k, i)).ToDictionary(x => x.k, x => encodings[x.i]);
        var scores = model.Score(pairs.Select(p => (byIndex[p.First], byIndex[p.Second])).ToArray());
        return VerificationMetrics.Compute(scores, pairs.Select(p => p.Same).ToArray());
    }

    private static Span<LabeledPair> CollectionsMarshalSpan(List<LabeledPair> list) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list);
}
