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
    /// Returns the upright pixels of a stored image w×h. For each upright
    /// pixel (x, y) we read the stored pixel it came from; the formulas follow from the tag's meaning, e.g. for
    /// RightTop the stored first row is the upright right column, so stored (sx, sy) shows at (h-1-sy, sx).
    /// </summary>
    public static RgbImage Apply(RgbImage stored, ImageOrientation o)
    {
        if (o == ImageOrientation.TopLeft) return stored;
        int w = stored.Width, h = stored.Height;
        int outW = SwapsAxes(o) ? h : w, outH = SwapsAxes(o) ? w : h;
        var src = stored.Pixels;
        var dst = new byte[src.Length];
        for (int y = 0; y < outH; y++)
        {
            for (int x = 0; x < outW; x++)
            {
                (int sx, int sy) = o switch
                {
                    ImageOrientation.TopRight => (w - 1 - x, y),
                    ImageOrientation.BottomRight => (w - 1 - x, h - 1 - y),
                    ImageOrientation.BottomLeft => (x, h - 1 - y),
                    ImageOrientation.LeftTop => (y, x),
                    ImageOrientation.RightTop => (y, h - 1 - x),
                    ImageOrientation.RightBottom => (w - 1 - y, h - 1 - x),
                    ImageOrientation.LeftBottom => (w - 1 - y, x),
                    _ => (x, y),
                };
                int s = (sy * w + sx) * 3, d = (y * outW + x) * 3;
                dst[d] = src[s];
                dst[d + 1] = src[s + 1];
                dst[d + 2] = src[s + 2];
            }
        }
        return new RgbImage(outW, outH, dst, stored.Source);
    }
}
