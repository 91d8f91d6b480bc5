namespace Convolve.Imaging;

/// <summary>
/// The eight EXIF orientations (tag 0x0112). Each names where the stored image's first row and first column
/// belong when the picture is shown upright.
/// </summary>
public enum ImageOrientation
{
    /// <summary>1: stored upright.</summary>
    TopLeft = 1,
    /// <summary>2: mirrored left-right.</summary>
    TopRight = 2,
    /// <summary>3: rotated 180°.</summary>
    BottomRight = 3,
    /// <summary>4: mirrored top-bottom.</summary>
    BottomLeft = 4,
    /// <summary>5: transposed (mirrored across the main diagonal).</summary>
    LeftTop = 5,
    /// <summary>6: needs a 90° clockwise turn to be upright (the usual portrait photo from a phone).</summary>
    RightTop = 6,
    /// <summary>7: transversed (mirrored across the anti-diagonal).</summary>
    RightBottom = 7,
    /// <summary>8: needs a 90° counter-clockwise turn to be upright.</summary>
    LeftBottom = 8,
}

/// <summary>Applies an EXIF orientation to packed RGB pixels.</summary>
internal static class Orientation
{
    /// <summary>True when the orientation swaps width and height.</summary>
    public static bool SwapsAxes(ImageOrientation o) => o >= ImageOrientation.LeftTop;

    /// <summary>
    /// Returns the upright pixels of a stored image w×h. For each upright pixel (x, y) we read the stored pixel
    /// (sx, sy) it came from; the formulas follow from the tag's meaning, e.g. for RightTop the stored first row is
    /// the upright right column, so upright (x, y) comes from stored (y, h-1-x). Every case is linear in x and y, so
    /// the stored index is base + x·stepX + y·stepY (in pixels) and the loop only adds.
    /// </summary>
    public static RgbImage Apply(RgbImage stored, ImageOrientation o)
    {
        if (o == ImageOrientation.TopLeft) return stored;
        int w = stored.Width, h = stored.Height;
        int outW = SwapsAxes(o) ? h : w, outH = SwapsAxes(o) ? w : h;
        // (sx, sy) for upright (x, y):           base pixel            stepX  stepY
        (int origin, int stepX, int stepY) = o switch
        {
            ImageOrientation.TopRight => (w - 1, -1, w),                  // (w-1-x, y)
            ImageOrientation.BottomRight => ((h - 1) * w + w - 1, -1, -w), // (w-1-x, h-1-y)
            ImageOrientation.BottomLeft => ((h - 1) * w, 1, -w),           // (x, h-1-y)
            ImageOrientation.LeftTop => (0, w, 1),                         // (y, x)
            ImageOrientation.RightTop => ((h - 1) * w, -w, 1),             // (y, h-1-x)
            ImageOrientation.RightBottom => ((h - 1) * w + w - 1, -w, -1), // (w-1-y, h-1-x)
            ImageOrientation.LeftBottom => (w - 1, w, -1),                 // (w-1-y, x)
            _ => throw new ArgumentOutOfRangeException(nameof(o), o, "Not an EXIF orientation."),
        };
        var src = stored.Pixels;
        var dst = new byte[src.Length];
        int d = 0;
        for (int y = 0; y < outH; y++)
        {
            int s = origin + y * stepY;
            for (int x = 0; x < outW; x++, s += stepX, d += 3)
            {
                int si = s * 3;
                dst[d] = src[si];
                dst[d + 1] = src[si + 1];
                dst[d + 2] = src[si + 2];
            }
        }
        return new RgbImage(outW, outH, dst, stored.Source);
    }
}
