namespace Convolve.Training;

/// <summary>
/// Verification figures of scored pairs (higher score = more likely the same identity).
/// Temporary home: to be replaced by the shared evaluation code (Convolve.Faces.Evaluation) once it lands.
/// </summary>
/// <param name="Auc">Area under the ROC curve (Mann–Whitney, ties count half).</param>
/// <param name="Eer">Equal error rate: where false accepts ≈ false rejects.</param>
/// <param name="BestAccuracy">Accuracy at the best threshold.</param>
/// <param name="BestThreshold">That threshold ("same" when score ≥ threshold).</param>
/// <param name="Pairs">Number of pairs scored.</param>
public sealed record VerificationMetrics(double Auc, double Eer, double BestAccuracy, double BestThreshold, int Pairs)
{
    /// <summary>Computes the figures; needs at least one same and one different pair.</summary>
    public static VerificationMetrics Compute(IReadOnlyList<double> scores, IReadOnlyList<bool> same)
    {
        if (scores.Count != same.Count) throw new ArgumentException("scores and labels differ in length");
        int nPos = same.Count(s => s), nNeg = same.Count - nPos;
        if (nPos == 0 || nNeg == 0) throw new ArgumentException("need at least one same and one different pair");

        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        // AUC from average ranks of the positives.
        double rankSumPos = 0;
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]]) end++;
            double avgRank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) if (same[order[k]]) rankSumPos += avgRank;
            start = end + 1;
        }
        double auc = (rankSumPos - nPos * (nPos + 1) / 2.0) / ((double)nPos * nNeg);

        // Sweep the threshold upward through the sorted scores: below it everything is rejected.
        int rejectedPos = 0, rejectedNeg = 0;
        double bestAcc = (double)nPos / same.Count, bestThr = scores[order[0]];
        double eer = 1, eerGap = double.MaxValue;
        for (int start = 0; start <= order.Length;)
        {
            double far = (double)(nNeg - rejectedNeg) / nNeg, frr = (double)rejectedPos / nPos;
            double acc = (double)(rejectedNeg + nPos - rejectedPos) / same.Count;
            double threshold = start == order.Length ? scores[order[^1]] + 1e-9 : scores[order[start]];
            if (acc > bestAcc) { bestAcc = acc; bestThr = threshold; }
            if (Math.Abs(far - frr) < eerGap) { eerGap = Math.Abs(far - frr); eer = (far + frr) / 2; }
            if (start == order.Length) break;
            int end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]]) end++;
            for (int k = start; k <= end; k++) if (same[order[k]]) rejectedPos++; else rejectedNeg++;
            start = end + 1;
        }
        return new VerificationMetrics(auc, eer, bestAcc, bestThr, same.Count);
    }
}
