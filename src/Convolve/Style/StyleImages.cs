using Convolve.Imaging;
using SkiaSharp;

namespace Convolve.Style;

/// <summary>
/// Resizing for style transfer (saving is <see cref="ImageEncoder"/>).
/// </summary>
public static class StyleImages
{
    /// <summary>The size with long side <paramref name="longSide"/> and the image's aspect ratio.</summary>
    public static (int Width, int Height) FitLongSide(int width, int height, int longSide)
    {
        if (longSide < 1) throw new ArgumentOutOfRangeException(nameof(longSide), "A size must be at least 1 pixel.");
        double s = (double)longSide / Math.Max(width, height);
        return (Math.Max(1, (int)Math.Round(width * s)), Math.Max(1, (int)Math.Round(height * s)));
    }

    /// <summary>Resamples <paramref name="image"/> to <paramref name="width"/>×<paramref name="height"/> (Mitchell cubic; mipmaps when shrinking).</summary>
    public static RgbImage Resize(RgbImage image, int width, int height)
    {
        if (image.Width == width && image.Height == height) return image;
        using var src = SkiaPixels.ToBitmap(image);
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var sampling = width < image.Width || height < image.Height
            ? new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)
            : new SKSamplingOptions(SKCubicResampler.Mitchell);
        using var dst = src.Resize(info, sampling) ?? throw new InvalidOperationException("SkiaSharp could not resize the image.");
        return SkiaPixels.FromBitmap(dst, image.Source);
    }

    /// <summary>Resizes with nearest-neighbour sampling (for label masks, whose values must not blend).</summary>
    public static RgbImage ResizeNearest(RgbImage image, int width, int height)
    {
        var dst = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            int sy = Math.Min(image.Height - 1, (int)((y + 0.5) * image.Height / height));
            for (int x = 0; x < width; x++)
            {
                int sx = Math.Min(image.Width - 1, (int)((x + 0.5) * image.Width / width));
                Buffer.BlockCopy(image.Pixels, (sy * image.Width + sx) * 3, dst, (y * width + x) * 3, 3);
            }
        }
        return new RgbImage(width, height, dst, image.Source);
    }
}
