namespace Convolve.Training;

/// <summary>How triplets are chosen inside a batch (online mining).</summary>
public enum MiningStrategy
{
    /// <summary>FaceNet semi-hard: for every positive pair (A,P), the closest negative with d(A,P) &lt; d(A,N) &lt; d(A,P) + α; pairs without one are skipped.</summary>
    SemiHard,
    /// <summary>Batch-hard (Hermans et al. 2017): for every anchor, its farthest positive and its closest negative.</summary>
    Hard,
    /// <summary>Batch-all: every valid triplet (A,P,N) of the batch.</summary>
    All,
    /// <summary>For every positive pair (A,P), a negative drawn uniformly at random.</summary>
    Random,
}

/// <summary>
/// Chooses triplets from a batch given the squared distances between its embeddings and its identity labels.
/// A triplet is valid when A ≠ P, label(A) = label(P) and label(N) ≠ label(A). Every strategy returns an
/// empty list when the batch holds no valid triplet (no identity twice, or only one identity).
/// </summary>
public static class TripletMiner
{
    /// <summary>Mines triplets with <paramref name="strategy"/>; <paramref name="random"/> is used by <see cref="MiningStrategy.Random"/> only.</summary>
    public static List<Triplet> Mine(MiningStrategy strategy, double[,] distances, IReadOnlyList<int> labels, double margin, Random random)
    {
        if (distances.GetLength(0) != labels.Count || distances.GetLength(1) != labels.Count)
            throw new ArgumentException($"{labels.Count} labels but a {distances.GetLength(0)}×{distances.GetLength(1)} distance matrix.");
        return strategy switch
        {
            MiningStrategy.All => BatchAll(labels),
            MiningStrategy.Hard => BatchHard(distances, labels),
            MiningStrategy.SemiHard => SemiHard(distances, labels, margin),
            MiningStrategy.Random => RandomNegatives(labels, random),
            _ => throw new ArgumentOutOfRangeException(nameof(strategy)),
        };
    }

    /// <summary>Every valid triplet, anchors in batch order, then positives, then negatives.</summary>
    public static List<Triplet> BatchAll(IReadOnlyList<int> labels)
    {
        var result = new List<Triplet>();
        foreach (var (a, p) in PositivePairs(labels))
            for (int n = 0; n < labels.Count; n++)
                if (labels[n] != labels[a]) result.Add(new Triplet(a, p, n));
        return result;
    }

    /// <summary>One triplet per anchor that has a positive and a negative: argmax d(A,P), argmin d(A,N) (first index on ties).</summary>
    public static List<Triplet> BatchHard(double[,] d, IReadOnlyList<int> labels)
    {
        var result = new List<Triplet>();
        for (int a = 0; a < labels.Count; a++)
        {
            int p = -1, n = -1;
            for (int j = 0; j < labels.Count; j++)
            {
                if (j == a) continue;
                if (labels[j] == labels[a]) { if (p < 0 || d[a, j] > d[a, p]) p = j; }
                else if (n < 0 || d[a, j] < d[a, n]) n = j;
            }
            if (p >= 0 && n >= 0) result.Add(new Triplet(a, p, n));
        }
        return result;
    }

    /// <summary>For each positive pair, the negative with the smallest d(A,N) inside (d(A,P), d(A,P) + α).</summary>
    public static List<Triplet> SemiHard(double[,] d, IReadOnlyList<int> labels, double margin)
    {
        var result = new List<Triplet>();
        foreach (var (a, p) in PositivePairs(labels))
        {
            int best = -1;
            for (int n = 0; n < labels.Count; n++)
            {
                if (labels[n] == labels[a]) continue;
                bool semiHard = d[a, p] < d[a, n] && d[a, n] < d[a, p] + margin;
                if (semiHard && (best < 0 || d[a, n] < d[a, best])) best = n;
            }
            if (best >= 0) result.Add(new Triplet(a, p, best));
        }
        return result;
    }

    /// <summary>For each positive pair, a uniformly random negative.</summary>
    public static List<Triplet> RandomNegatives(IReadOnlyList<int> labels, Random random)
    {
        var result = new List<Triplet>();
        var negatives = new List<int>();
        foreach (var (a, p) in PositivePairs(labels))
        {
            negatives.Clear();
            for (int n = 0; n < labels.Count; n++) if (labels[n] != labels[a]) negatives.Add(n);
            if (negatives.Count > 0) result.Add(new Triplet(a, p, negatives[random.Next(negatives.Count)]));
        }
        return result;
    }

    /// <summary>Ordered positive pairs (A,P), A ≠ P, same label: both (i,j) and (j,i), since each is its own anchor.</summary>
    public static IEnumerable<(int Anchor, int Positive)> PositivePairs(IReadOnlyList<int> labels)
    {
        for (int a = 0; a < labels.Count; a++)
            for (int p = 0; p < labels.Count; p++)
                if (p != a && labels[p] == labels[a]) yield return (a, p);
    }
}
