namespace Convolve.Faces.Landmarks;

/// <summary>
/// The 68 iBUG landmarks of one face in image pixels, with the detection box they were found in and the crop the
/// network saw. Point order: 0–16 jaw, 17–21 and 22–26 eyebrows, 27–35 nose, 36–41 left eye (image-left),
/// 42–47 right eye, 48–67 mouth.
/// </summary>
public sealed class FaceLandmarks
{
    private readonly double[] _xy;   // interleaved absolute coordinates in double, as face-api keeps them

    internal FaceLandmarks(FaceBox box, PixelRect crop, double[] xy)
    {
        if (xy.Length != 2 * 68) throw new ArgumentException("Expected 136 interleaved coordinates.", nameof(xy));
        Box = box;
        Crop = crop;
        _xy = xy;
        Points = Enumerable.Range(0, 68).Select(i => new Point2((float)xy[2 * i], (float)xy[2 * i + 1])).ToArray();
    }

    /// <summary>Makes landmarks from 68 absolute points (e.g. loaded from a file); <paramref name="crop"/> is the landmark crop they came from.</summary>
    public static FaceLandmarks FromPoints(FaceBox box, PixelRect crop, IReadOnlyList<Point2> points)
    {
        if (points.Count != 68) throw new ArgumentException($"Expected 68 points, got {points.Count}.", nameof(points));
        return new FaceLandmarks(box, crop, points.SelectMany(p => new double[] { p.X, p.Y }).ToArray());
    }

    /// <summary>The detection box the landmarks were computed in.</summary>
    public FaceBox Box { get; }

    /// <summary>The image region the landmark network saw: <see cref="Box"/> clipped to the image and floored.</summary>
    public PixelRect Crop { get; }

    /// <summary>The 68 points in image pixels.</summary>
    public IReadOnlyList<Point2> Points { get; }

    /// <summary>Points 36–41.</summary>
    public IEnumerable<Point2> LeftEye => Points.Skip(36).Take(6);

    /// <summary>Points 42–47.</summary>
    public IEnumerable<Point2> RightEye => Points.Skip(42).Take(6);

    /// <summary>Points 48–67.</summary>
    public IEnumerable<Point2> Mouth => Points.Skip(48).Take(20);

    /// <summary>Point <paramref name="index"/> in double precision.</summary>
    internal (double X, double Y) At(int index) => (_xy[2 * index], _xy[2 * index + 1]);

    /// <summary>Mean of points [<paramref name="start"/>, <paramref name="start"/>+<paramref name="count"/>), summed in order in double like face-api.</summary>
    internal (double X, double Y) Center(int start, int count)
    {
        double sx = 0, sy = 0;
        for (int i = start; i < start + count; i++) { sx += _xy[2 * i]; sy += _xy[2 * i + 1]; }
        return (sx / count, sy / count);
    }

    /// <summary>
    /// face-api's <c>alignedRect</c>: the bounding box of the 68 points grown by 10% of its size on each side. Used
    /// by face-api's expression and age nets, not by recognition (which uses <see cref="Alignment.DlibCrop"/>).
    /// </summary>
    public FaceBox AlignedRect
    {
        get
        {
            double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
            for (int i = 0; i < 68; i++)
            {
                var (x, y) = At(i);
                minX = Math.Min(minX, x); maxX = Math.Max(maxX, x);
                minY = Math.Min(minY, y); maxY = Math.Max(maxY, y);
            }
            double w = maxX - minX, h = maxY - minY;
            return new FaceBox((float)(minX - 0.1 * w), (float)(minY - 0.1 * h), (float)(1.2 * w), (float)(1.2 * h));
        }
    }
}
