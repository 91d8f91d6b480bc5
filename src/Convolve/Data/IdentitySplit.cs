namespace Convolve.Data;

/// <summary>Identity-disjoint train/validation split: validation measures encodings of people never trained on.</summary>
public static class IdentitySplit
{
    /// <summary>
    /// Shuffles the identities with <paramref name="seed"/> and puts round(fraction × n) of them (at least 2 when
    /// there are 4 or more) in validation, the rest in train. The same seed gives the same split.
    /// </summary>
    public static (IdentityDataset Train, IdentityDataset Validation) Split(IdentityDataset data, double validationFraction, int seed)
    {
        if (validationFraction is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "must be between 0 and 1");
        int n = data.Identities.Count;
        var order = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(order);
        int val = (int)Math.Round(validationFraction * n);
        if (n >= 4) val = Math.Clamp(val, 2, n - 2);
        else throw new ArgumentException($"need at least 4 identities to split, found {n}");
        var valIds = order.Take(val).Order().ToList();
        var trainIds = order.Skip(val).Order().ToList();
        return (data.Subset(trainIds), data.Subset(valIds));
    }
}
