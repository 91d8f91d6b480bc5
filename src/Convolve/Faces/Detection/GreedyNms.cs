namespace Convolve.Faces.Detection;

/// <summary>An axis-aligned box by its corners, in any one coordinate system.</summary>
public readonly record struct BoxCorners(double Left, double Top, double Right, double Bottom)
{
    /// <summary>
    /// Intersection over union, as face-api computes it: corners are first put in min/max order, and a box with
    /// zero or negative area has IoU 0 with everything.
    /// </summary>
    public static double IoU(BoxCorners a, BoxCorners b)
    {
        double ax0 = Math.Min(a.Left, a.Right), ax1 = Math.Max(a.Left, a.Right);
        double ay0 = Math.Min(a.Top, a.Bottom), ay1 = Math.Max(a.Top, a.Bottom);
        double bx0 = Math.Min(b.Left, b.Right), bx1 = Math.Max(b.Left, b.Right);
        double by0 = Math.Min(b.Top, b.Bottom), by1 = Math.Max(b.Top, b.Bottom);
        double areaA = (ay1 - ay0) * (ax1 - ax0);
        double areaB = (by1 - by0) * (bx1 - bx0);
        if (areaA <= 0 || areaB <= 0) return 0;
        double intersection = Math.Max(Math.Min(ay1, by1) - Math.Max(ay0, by0), 0) * Math.Max(Math.Min(ax1, bx1) - Math.Max(ax0, bx0), 0);
        return intersection / (areaA + areaB - intersection);
    }
}

/// <summary>Greedy non-maximum suppression (there is no TorchVision here).</summary>
public static class GreedyNms
{
    /// <summary>
    /// Keeps boxes in descending score order (ties: lower index first), dropping each box whose IoU with an already
    /// kept box is above <paramref name="iouThreshold"/>, until <paramref name="maxResults"/> are kept. Returns the
    /// kept indices, best first. Callers pass only the candidates above their score threshold, which are few, so a
    /// plain O(n·kept) loop is the fast choice.
    /// </summary>
    public static IReadOnlyList<int> Select(IReadOnlyList<BoxCorners> boxes, IReadOnlyList<double> scores, double iouThreshold, int maxResults = int.MaxValue)
    {
        if (boxes.Count != scores.Count) throw new ArgumentException($"{boxes.Count} boxes but {scores.Count} scores.", nameof(scores));
        var order = Enumerable.Range(0, boxes.Count).OrderByDescending(i => scores[i]).ToArray(); // stable
        var kept = new List<int>();
        foreach (int candidate in order)
        {
            if (kept.Count >= maxResults) break;
            bool suppressed = false;
            foreach (int keeper in kept)
            {
                if (BoxCorners.IoU(boxes[candidate], boxes[keeper]) > iouThreshold)
                {
                    suppressed = true;
                    break;
                }
            }
            if (!suppressed) kept.Add(candidate);
        }
        return kept;
    }
}
