namespace Convolve.Training;

/// <summary>Balanced same/different pairs from a batch, for the binary head.</summary>
public static class PairMiner
{
    /// <summary>
    /// Every unordered same-identity pair (i &lt; j) of the batch, and as many different-identity pairs drawn
    /// without replacement by <paramref name="random"/> (all of them when there are fewer). Empty when the batch
    /// has no same-identity pair or no different-identity pair.
    /// </summary>
    public static List<LabeledPair> Balanced(IReadOnlyList<int> labels, Random random)
    {
        var same = new List<LabeledPair>();
        var different = new List<LabeledPair>();
        for (int i = 0; i < labels.Count; i++)
            for (int j = i + 1; j < labels.Count; j++)
                (labels[i] == labels[j] ? same : different).Add(new LabeledPair(i, j, labels[i] == labels[j]));
        if (same.Count == 0 || different.Count == 0) return new List<LabeledPair>();
        // Partial Fisher–Yates: the first same.Count entries become a uniform sample without replacement.
        int take = Math.Min(same.Count, different.Count);
        for (int k = 0; k < take; k++)
        {
            int r = k + random.Next(different.Count - k);
            (different[k], different[r]) = (different[r], different[k]);
        }
        same.AddRange(different.Take(take));
        return same;
    }
}
