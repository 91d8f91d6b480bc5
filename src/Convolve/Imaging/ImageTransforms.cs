namespace Convolve.Imaging;

/// <summary>Simple geometric transforms of an <see cref="RgbImage"/> that keep every pixel value (no resampling): mirror and crop.</summary>
public static class ImageTransforms
{
    /// <summary>
    /// The mirror image (left and right swapped): pixel (x, y) of the result is pixel (W − 1 − x, y) of
    /// <paramref name="image"/>. A box (x, y, w, h) in one maps to (W − x − w, y, w, h) in the other.
    /// </summary>
    /// <param name="image">The image to mirror (unchanged).</param>
    /// <param name="source">The name the mirror carries for messages (default: the source with " (mirrored)").</param>
    public static RgbImage Mirror(RgbImage image, string? source = null)
    {
        int w = image.Width, h = image.Height;
        byte[] from = image.Pixels;
        byte[] to = new byte[from.Length];
        for (int y = 0; y < h; y++)
        {
            int row = y * w * 3;
            for (int x = 0; x < w; x++)
            {
                int s = row + x * 3, d = row + (w - 1 - x) * 3;
                to[d] = from[s];
                to[d + 1] = from[s + 1];
                to[d + 2] = from[s + 2];
            }
        }
        return new RgbImage(w, h, to, source ?? (image.Source is null ? null : image.Source + " (mirrored)"));
    }

    /// <summary>
    /// The pixels of <paramref name="image"/> inside the rectangle (<paramref name="x"/>, <paramref name="y"/>,
    /// <paramref name="width"/>, <paramref name="height"/>), clipped to the image. Throws when nothing is left.
    /// </summary>
    public static RgbImage Crop(RgbImage image, int x, int y, int width, int height)
    {
        int x0 = Math.Max(0, x), y0 = Math.Max(0, y);
        int x1 = Math.Min(image.Width, x + Math.Max(0, width)), y1 = Math.Min(image.Height, y + Math.Max(0, height));
        if (x1 <= x0 || y1 <= y0)
            throw new ArgumentException($"The rectangle ({x}, {y}, {width}×{height}) lies outside the {image.Width}×{image.Height} image.");
        int w = x1 - x0, h = y1 - y0;
        var pixels = new byte[w * h * 3];
        for (int row = 0; row < h; row++)
            Array.Copy(image.Pixels, ((y0 + row) * image.Width + x0) * 3, pixels, row * w * 3, w * 3);
        return new RgbImage(w, h, pixels, image.Source);
    }
}
