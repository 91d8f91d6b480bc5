using SkiaSharp;

namespace Convolve.Imaging;

/// <summary>Output formats <see cref="ImageEncoder"/> writes.</summary>
public enum ImageFormat
{
    /// <summary>Lossless PNG.</summary>
    Png,
    /// <summary>Lossy JPEG (quality 1..100).</summary>
    Jpeg,
}

/// <summary>Encodes <see cref="RgbImage"/>s as PNG or JPEG, to bytes or to a file.</summary>
public static class ImageEncoder
{
    /// <summary>The JPEG quality used when none is given.</summary>
    public const int DefaultJpegQuality = 92;

    /// <summary>The format a file name asks for by its extension (.png, .jpg, .jpeg), or null when it names none of them.</summary>
    public static ImageFormat? FormatFromPath(string path) =>
        Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => ImageFormat.Png,
            ".jpg" or ".jpeg" => ImageFormat.Jpeg,
            _ => null,
        };

    /// <summary>Encodes <paramref name="image"/> in memory.</summary>
    public static byte[] Encode(RgbImage image, ImageFormat format, int jpegQuality = DefaultJpegQuality)
    {
        if (jpegQuality is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(jpegQuality), "JPEG quality is 1..100.");
        using var bitmap = SkiaPixels.ToBitmap(image);
        using var data = bitmap.Encode(format == ImageFormat.Png ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg,
            format == ImageFormat.Png ? 100 : jpegQuality)
            ?? throw new InvalidOperationException($"Skia could not encode a {image.Width}x{image.Height} image as {format}.");
        return data.ToArray();
    }

    /// <summary>
    /// Writes <paramref name="image"/> to <paramref name="path"/>, in <paramref name="format"/> or else the format
    /// the extension names. Throws <see cref="InvalidInputException"/> naming the path when the extension is
    /// unknown, the folder does not exist or the file cannot be written. The file appears complete or not at all.
    /// </summary>
    public static void Save(RgbImage image, string path, ImageFormat? format = null, int jpegQuality = DefaultJpegQuality)
    {
        ArgumentNullException.ThrowIfNull(path);
        var chosen = format ?? FormatFromPath(path)
            ?? throw new InvalidInputException(path, $"cannot tell the output format from the extension '{Path.GetExtension(path)}' (use .png, .jpg or .jpeg)");
        string full = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(full);
        if (folder is not null && !Directory.Exists(folder))
            throw new InvalidInputException(path, $"cannot write the image: the folder '{folder}' does not exist");
        if (Directory.Exists(full)) throw new InvalidInputException(path, "cannot write the image: a folder has that name");

        var bytes = Encode(image, chosen, jpegQuality);
        // Write beside the target and rename, so an interrupted run never leaves a half-written image behind.
        string temp = Path.Combine(folder ?? ".", $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new InvalidInputException(path, $"cannot write the image ({e.Message})", e);
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Copies between <see cref="RgbImage"/> and Skia bitmaps.</summary>
internal static class SkiaPixels
{
    /// <summary>An opaque RGBA bitmap holding the image's pixels (the caller disposes it).</summary>
    public static SKBitmap ToBitmap(RgbImage image)
    {
        var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var dst = bitmap.GetPixelSpan();
        var src = image.Pixels;
        for (int i = 0, j = 0; i < src.Length; i += 3, j += 4)
        {
            dst[j] = src[i];
            dst[j + 1] = src[i + 1];
            dst[j + 2] = src[i + 2];
            dst[j + 3] = 255;
        }
        return bitmap;
    }

    /// <summary>The RGB pixels of an opaque RGBA8888 bitmap.</summary>
    public static RgbImage FromBitmap(SKBitmap bitmap, string? source)
    {
        if (bitmap.ColorType != SKColorType.Rgba8888) throw new ArgumentException("Expected an RGBA8888 bitmap.", nameof(bitmap));
        var src = bitmap.GetPixelSpan();
        var rgb = new byte[bitmap.Width * bitmap.Height * 3];
        for (int i = 0, j = 0; j < rgb.Length; i += 4, j += 3)
        {
            rgb[j] = src[i];
            rgb[j + 1] = src[i + 1];
            rgb[j + 2] = src[i + 2];
        }
        return new RgbImage(bitmap.Width, bitmap.Height, rgb, source);
    }
}
