namespace Convolve.Faces;

/// <summary>
/// An axis-aligned box in image pixels: top-left corner (<see cref="X"/>, <see cref="Y"/>) and size. Float, because
/// detectors produce sub-pixel boxes and face-api's pipeline depends on the unrounded values.
/// </summary>
public readonly record struct FaceBox(float X, float Y, float Width, float Height)
{
    /// <summary>X of the right edge (X + Width).</summary>
    public float Right => X + Width;

    /// <summary>Y of the bottom edge (Y + Height).</summary>
    public float Bottom => Y + Height;

    /// <summary>Width × Height (0 for empty or inverted boxes).</summary>
    public float Area => Width > 0 && Height > 0 ? Width * Height : 0;

    /// <summary>The centre of the box.</summary>
    public Point2 Center => new(X + Width / 2, Y + Height / 2);

    /// <summary>
    /// face-api's <c>clipAtImageBorders</c>: clip to [0, imageWidth) × [0, imageHeight), then floor all four values.
    /// The result can have zero or negative size when the box lies outside the image.
    /// </summary>
    public PixelRect ClipAndFloor(int imageWidth, int imageHeight)
    {
        // Computed in double like JavaScript, then floored.
        double x = Math.Max((double)X, 0), y = Math.Max((double)Y, 0);
        double w = Math.Min((double)X + Width - x, imageWidth - x);
        double h = Math.Min((double)Y + Height - y, imageHeight - y);
        return new PixelRect((int)Math.Floor(x), (int)Math.Floor(y), (int)Math.Floor(w), (int)Math.Floor(h));
    }

    /// <summary>Intersection over union with <paramref name="other"/> (0 when either box is empty).</summary>
    public float IoU(FaceBox other)
    {
        float ix = Math.Max(0, Math.Min(Right, other.Right) - Math.Max(X, other.X));
        float iy = Math.Max(0, Math.Min(Bottom, other.Bottom) - Math.Max(Y, other.Y));
        float inter = ix * iy;
        float union = Area + other.Area - inter;
        return union > 0 ? inter / union : 0;
    }
}

/// <summary>A point in image pixels.</summary>
public readonly record struct Point2(float X, float Y);

/// <summary>An integer pixel rectangle (top-left corner and size), e.g. a crop region.</summary>
public readonly record struct PixelRect(int X, int Y, int Width, int Height)
{
    /// <summary>True when the rectangle covers at least one pixel.</summary>
    public bool IsEmpty => Width <= 0 || Height <= 0;

    /// <summary>The same rectangle as a <see cref="FaceBox"/>.</summary>
    public FaceBox ToFaceBox() => new(X, Y, Width, Height);
}
