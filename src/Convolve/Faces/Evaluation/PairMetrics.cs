namespace Convolve.Faces.Evaluation;

/// <summary>
/// Verification metrics on distance-scored pairs (see <see cref="ScoredPair"/> for the conventions: distances,
/// accept when d &lt; τ). Pure functions; the inputs are not modified.
/// </summary>
public static class PairMetrics
{
    /// <summary>
    /// The ROC curve from (0, 0) to (1, 1): one point per distinct distance, accepting every pair up to and
    /// including it. Pairs with equal distances enter together (a diagonal step), which is what makes the
    /// trapezoid AUC count ties as one half.
    /// </summary>
    public static IReadOnlyList<RocPoint> Roc(IReadOnlyList<ScoredPair> pairs)
    {
        var (same, different) = Counts(pairs);
        ScoredPair[] sorted = pairs.OrderBy(p => p.Distance).ToArray();
        var points = new List<RocPoint> { new(sorted[0].Distance, 0, 0) }; // τ = smallest distance: nothing is < τ
        int tp = 0, fp = 0;
        for (int i = 0; i < sorted.Length;)
        {
            double value = sorted[i].Distance;
            for (; i < sorted.Length && sorted[i].Distance == value; i++)
                if (sorted[i].Same) tp++; else fp++;
            // The strict threshold that accepts everything up to `value`: the next distinct distance, or just above the last.
            double threshold = i < sorted.Length ? sorted[i].Distance : Math.BitIncrement(value);
            points.Add(new RocPoint(threshold, (double)fp / different, (double)tp / same));
        }
        return points;
    }

    /// <summary>
    /// Area under the ROC curve by the trapezoid rule = P(d_same &lt; d_different) + ½ P(d_same = d_different).
    /// 1 for a perfect scorer, 0.5 for chance.
    /// </summary>
    public static double Auc(IReadOnlyList<RocPoint> roc)
    {
        double area = 0;
        for (int i = 1; i < roc.Count; i++)
            area += (roc[i].Far - roc[i - 1].Far) * (roc[i].Tar + roc[i - 1].Tar) / 2;
        return area;
    }

    /// <summary>
    /// Equal error rate: where FAR = FRR (= 1 − TAR) along the ROC curve, interpolating linearly between the two
    /// points whose FAR − FRR changes sign.
    /// </summary>
    public static double Eer(IReadOnlyList<RocPoint> roc)
    {
        double previousGap = roc[0].Far - (1 - roc[0].Tar); // −1 at (0, 0)
        for (int i = 1; i < roc.Count; i++)
        {
            double gap = roc[i].Far - (1 - roc[i].Tar);
            if (gap >= 0)
            {
                double t = gap == previousGap ? 0 : -previousGap / (gap - previousGap);
                return roc[i - 1].Far + t * (roc[i].Far - roc[i - 1].Far);
            }
            previousGap = gap;
        }
        return roc[^1].Far; // unreachable: the last point is (1, 1)
    }

    /// <summary>Fraction of pairs decided correctly when accepting d &lt; <paramref name="threshold"/>.</summary>
    public static double Accuracy(IReadOnlyList<ScoredPair> pairs, double threshold)
    {
        if (pairs.Count == 0) throw new ArgumentException("no pairs", nameof(pairs));
        int correct = pairs.Count(p => (p.Distance < threshold) == p.Same);
        return (double)correct / pairs.Count;
    }

    /// <summary>
    /// The threshold with the highest accuracy. Candidates are the midpoints between consecutive distinct distances
    /// (every way of splitting the sorted pairs), plus "accept none" (the smallest distance) and "accept all" (just
    /// above the largest). Ties go to the smallest threshold, i.e. the fewest false accepts.
    /// </summary>
    public static ThresholdAccuracy BestAccuracy(IReadOnlyList<ScoredPair> pairs)
    {
        Counts(pairs);
        ScoredPair[] sorted = pairs.OrderBy(p => p.Distance).ToArray();
        int sameTotal = sorted.Count(p => p.Same);
        // Accepting nothing: every different pair is right.
        int correct = sorted.Length - sameTotal;
        var best = new ThresholdAccuracy(sorted[0].Distance, (double)correct / sorted.Length);
        for (int i = 0; i < sorted.Length;)
        {
            double value = sorted[i].Distance;
            for (; i < sorted.Length && sorted[i].Distance == value; i++)
                correct += sorted[i].Same ? 1 : -1; // now accepted: a same pair becomes right, a different one wrong
            double threshold = i < sorted.Length ? (value + sorted[i].Distance) / 2 : Math.BitIncrement(value);
            double accuracy = (double)correct / sorted.Length;
            if (accuracy > best.Accuracy) best = new ThresholdAccuracy(threshold, accuracy);
        }
        return best;
    }

    /// <summary>
    /// The largest threshold whose false-accept rate does not exceed <paramref name="far"/>, with the TAR there.
    /// With n different pairs sorted by distance, at most k = ⌊far·n⌋ may be accepted, so τ is the (k+1)-th
    /// smallest different-pair distance. Throws <see cref="NotEnoughPairsException"/> when n &lt; ⌈1/far⌉.
    /// </summary>
    public static FarOperatingPoint ThresholdForFar(IReadOnlyList<ScoredPair> pairs, double far)
    {
        if (!(far > 0 && far < 1)) throw new ArgumentOutOfRangeException(nameof(far), "a false-accept rate is between 0 and 1 (exclusive)");
        var (same, different) = Counts(pairs);
        int needed = MinimumNegatives(far);
        if (different < needed) throw new NotEnoughPairsException(far, needed, different);
        double[] negatives = pairs.Where(p => !p.Same).Select(p => p.Distance).Order().ToArray();
        int allowed = AllowedFalseAccepts(far, different);
        double threshold = negatives[allowed];
        double measuredFar = (double)negatives.Count(d => d < threshold) / different;
        double tar = (double)pairs.Count(p => p.Same && p.Distance < threshold) / same;
        return new FarOperatingPoint(far, threshold, measuredFar, tar, same, different);
    }

    /// <summary>⌈1/far⌉: the fewest negatives with which a false-accept rate of <paramref name="far"/> can be measured.</summary>
    public static int MinimumNegatives(double far) => (int)Math.Ceiling(1 / far - 1e-9);

    /// <summary>⌊far·n⌋ (guarded against 0.001·1000 = 0.99999…).</summary>
    internal static int AllowedFalseAccepts(double far, int negatives) => (int)Math.Floor(far * negatives + 1e-9);

    private static (int Same, int Different) Counts(IReadOnlyList<ScoredPair> pairs)
    {
        int same = pairs.Count(p => p.Same);
        int different = pairs.Count - same;
        if (same == 0 || different == 0)
            throw new ArgumentException($"metrics need both same-person and different-person pairs (got {same} same, {different} different)", nameof(pairs));
        if (pairs.Any(p => double.IsNaN(p.Distance))) throw new ArgumentException("a distance is NaN", nameof(pairs));
        return (same, different);
    }
}
