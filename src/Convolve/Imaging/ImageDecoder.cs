using SkiaSharp;

namespace Convolve.Imaging;

/// <summary>Decodes image files to <see cref="RgbImage"/>. (Minimal first version: hardened in the imaging work.)</summary>
public static class ImageDecoder
{
    /// <summary>Decodes the file at <paramref name="path"/>; throws <see cref="InvalidInputException"/> naming the file on failure.</summary>
    public static RgbImage Load(string path)
    {
        if (!File.Exists(path)) throw new InvalidInputException(path, "file not found");
        using var bitmap = SKBitmap.Decode(path) ?? throw new InvalidInputException(path, "not a decodable image");
        using var rgba = bitmap.Copy(SKColorType.Rgba8888) ?? throw new InvalidInputException(path, "cannot convert to RGB");
        var src = rgba.GetPixelSpan();
        var rgb = new byte[rgba.Width * rgba.Height * 3];
        for (int i = 0, j = 0; j < rgb.Length; i += 4, j += 3)
        {
            rgb[j] = src[i];
            rgb[j + 1] = src[i + 1];
            rgb[j + 2] = src[i + 2];
        }
        return new RgbImage(rgba.Width, rgba.Height, rgb, path);
    }
}
