namespace Convolve.Faces.Alignment;

/// <summary>
/// A 2-D similarity transform (rotation, uniform scale, translation): x' = a·x − b·y + tx, y' = b·x + a·y + ty.
/// Coordinates are continuous pixel coordinates (pixel i spans [i, i+1)).
/// </summary>
public readonly record struct SimilarityTransform(double A, double B, double Tx, double Ty)
{
    /// <summary>The scale factor √(a² + b²).</summary>
    public double Scale => Math.Sqrt(A * A + B * B);

    /// <summary>The rotation in radians.</summary>
    public double Rotation => Math.Atan2(B, A);

    /// <summary>Applies the transform to a point.</summary>
    public (double X, double Y) Apply(double x, double y) => (A * x - B * y + Tx, B * x + A * y + Ty);

    /// <summary>The inverse transform.</summary>
    public SimilarityTransform Inverse()
    {
        double s2 = A * A + B * B;
        double ia = A / s2, ib = -B / s2;
        return new SimilarityTransform(ia, ib, -(ia * Tx - ib * Ty), -(ib * Tx + ia * Ty));
    }

    /// <summary>
    /// The least-squares similarity mapping <paramref name="source"/> points onto <paramref name="target"/> points
    /// (Umeyama's closed form without reflection). Both hold (x, y) pairs; at least two distinct points are needed.
    /// </summary>
    public static SimilarityTransform Estimate(IReadOnlyList<(double X, double Y)> source, IReadOnlyList<(double X, double Y)> target)
    {
        if (source.Count != target.Count) throw new ArgumentException("Source and target need the same number of points.");
        if (source.Count < 2) throw new ArgumentException("A similarity transform needs at least two points.");
        int n = source.Count;
        double sx = 0, sy = 0, tx = 0, ty = 0;
        for (int i = 0; i < n; i++) { sx += source[i].X; sy += source[i].Y; tx += target[i].X; ty += target[i].Y; }
        sx /= n; sy /= n; tx /= n; ty /= n;

        // With centred points p (source) and q (target), minimising Σ‖q − (a·p + b·p⊥)‖² gives
        // a = Σ(p·q)/Σ‖p‖², b = Σ(p×q)/Σ‖p‖².
        double dot = 0, cross = 0, norm = 0;
        for (int i = 0; i < n; i++)
        {
            double px = source[i].X - sx, py = source[i].Y - sy;
            double qx = target[i].X - tx, qy = target[i].Y - ty;
            dot += px * qx + py * qy;
            cross += px * qy - py * qx;
            norm += px * px + py * py;
        }
        if (norm < 1e-12) throw new ArgumentException("The source points coincide: no transform is defined.");
        double a = dot / norm, b = cross / norm;
        return new SimilarityTransform(a, b, tx - (a * sx - b * sy), ty - (b * sx + a * sy));
    }
}
