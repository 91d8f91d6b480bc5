namespace Convolve.Data;

/// <summary>What kind of sample a dataset holds; decides the convolution dimension.</summary>
public enum Modality
{
    /// <summary>RGB images, [3, H, W] (2D convolutions).</summary>
    Image,
    /// <summary>Mono 1D signals (audio, ECG), [1, L] (1D convolutions).</summary>
    Signal,
    /// <summary>Scalar 3D volumes (CT, MRI), [1, D, H, W] (3D convolutions).</summary>
    Volume,
}

/// <summary>One sample: its identity (an index into <see cref="IdentityDataset.Identities"/>), where it comes from, and how to read it.</summary>
/// <param name="Identity">Index of the identity.</param>
/// <param name="Source">A file path or a name, for messages (never the content).</param>
/// <param name="Load">Reads the sample as a C-order float array of <see cref="IdentityDataset.SampleShape"/>.</param>
public sealed record LabeledSample(int Identity, string Source, Func<float[]> Load);

/// <summary>
/// Samples grouped by identity, all of one shape [C, spatial...]. Built from a folder per identity
/// (<see cref="FolderDataset"/>) or in memory; split by identity with <see cref="IdentitySplit"/>.
/// </summary>
public sealed class IdentityDataset
{
    private readonly int[][] byIdentity;

    /// <summary>A dataset of <paramref name="samples"/> whose identities index <paramref name="identities"/>.</summary>
    public IdentityDataset(IReadOnlyList<string> identities, IReadOnlyList<LabeledSample> samples, long[] sampleShape, Modality modality)
    {
        if (sampleShape.Length is < 2 or > 4) throw new ArgumentException("sample shape must be [C, L], [C, H, W] or [C, D, H, W]");
        Identities = identities;
        Samples = samples;
        SampleShape = sampleShape;
        Modality = modality;
        var lists = Enumerable.Range(0, identities.Count).Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < samples.Count; i++)
        {
            int id = samples[i].Identity;
            if (id < 0 || id >= identities.Count) throw new ArgumentException($"sample {samples[i].Source} has identity {id} outside 0..{identities.Count - 1}");
            lists[id].Add(i);
        }
        byIdentity = lists.Select(l => l.ToArray()).ToArray();
    }

    /// <summary>Names of the identities (folder names).</summary>
    public IReadOnlyList<string> Identities { get; }

    /// <summary>All samples.</summary>
    public IReadOnlyList<LabeledSample> Samples { get; }

    /// <summary>Shape of one sample: [C, L], [C, H, W] or [C, D, H, W].</summary>
    public long[] SampleShape { get; }

    /// <summary>The kind of data.</summary>
    public Modality Modality { get; }

    /// <summary>Spatial dimensions of a sample (1, 2 or 3).</summary>
    public int Dimensions => SampleShape.Length - 1;

    /// <summary>Floats in one sample.</summary>
    public long SampleLength => SampleShape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Indices of the samples of identity <paramref name="identity"/>.</summary>
    public IReadOnlyList<int> SamplesOf(int identity) => byIdentity[identity];

    /// <summary>Reads sample <paramref name="index"/>; a failure becomes an <see cref="InvalidInputException"/> naming its source.</summary>
    public float[] Load(int index)
    {
        var s = Samples[index];
        float[] data;
        try { data = s.Load(); }
        catch (ConvolveException) { throw; }
        catch (Exception e) { throw new InvalidInputException(s.Source, e.Message, e); }
        if (data.Length != SampleLength)
            throw new InvalidInputException(s.Source, $"has {data.Length} values, expected {SampleLength} ([{string.Join(",", SampleShape)}])");
        return data;
    }

    /// <summary>A dataset of the given identities only (renumbered 0..n−1 in the given order).</summary>
    public IdentityDataset Subset(IReadOnlyList<int> identities)
    {
        var names = identities.Select(i => Identities[i]).ToList();
        var samples = new List<LabeledSample>();
        for (int k = 0; k < identities.Count; k++)
            foreach (int i in byIdentity[identities[k]]) samples.Add(Samples[i] with { Identity = k });
        return new IdentityDataset(names, samples, SampleShape, Modality);
    }

    /// <summary>Splits by identity (no identity on both sides); see <see cref="IdentitySplit.Split"/>.</summary>
    public (IdentityDataset Train, IdentityDataset Validation) SplitByIdentity(double validationFraction, int seed) =>
        IdentitySplit.Split(this, validationFraction, seed);

    /// <summary>An in-memory dataset (samples already read), e.g. synthetic data.</summary>
    public static IdentityDataset InMemory(IReadOnlyList<(int Identity, float[] Data)> samples, int identityCount, long[] sampleShape, Modality modality)
    {
        var list = samples.Select((s, i) => new LabeledSample(s.Identity, $"sample {i}", () => (float[])s.Data.Clone())).ToList();
        var names = Enumerable.Range(0, identityCount).Select(i => $"id{i}").ToList();
        return new IdentityDataset(names, list, sampleShape, modality);
    }
}
