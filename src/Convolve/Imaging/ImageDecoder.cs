using SkiaSharp;

namespace Convolve.Imaging;

/// <summary>What an image file's header says, read without decoding its pixels.</summary>
/// <param name="Path">The file.</param>
/// <param name="Format">The container format, lower case: "jpeg", "png", "webp", "bmp", "gif", ...</param>
/// <param name="Width">Width in pixels once upright (after the EXIF orientation).</param>
/// <param name="Height">Height in pixels once upright.</param>
/// <param name="Orientation">The EXIF orientation stored in the file (TopLeft when there is none).</param>
/// <param name="FrameCount">Frames in the file (GIF/WebP animations have several; only the first is decoded).</param>
public sealed record ImageFileInfo(string Path, string Format, int Width, int Height, ImageOrientation Orientation, int FrameCount);

/// <summary>
/// Decodes image files (JPEG, PNG, WebP, BMP, GIF first frame, and the other formats Skia reads) to upright 8-bit
/// <see cref="RgbImage"/>s. Grayscale, palette, 16-bit and CMYK inputs all come out as 8-bit sRGB; transparent
/// pixels are composited over white. Every failure is an <see cref="InvalidInputException"/> naming the file.
/// </summary>
public static class ImageDecoder
{
    private const string KnownFormats = "JPEG, PNG, WebP, BMP or GIF expected";

    /// <summary>Decodes the file at <paramref name="path"/> with the default options (100-megapixel limit, EXIF applied).</summary>
    public static RgbImage Load(string path) => Load(path, ImageDecodeOptions.Default);

    /// <summary>Decodes the file at <paramref name="path"/>; throws <see cref="InvalidInputException"/> naming the file on failure.</summary>
    public static RgbImage Load(string path, ImageDecodeOptions options) => Decode(ReadFile(path), path, options);

    /// <summary>
    /// Decodes an encoded image held in memory. <paramref name="sourceName"/> names it in error messages (a file
    /// path, an upload name); pass null when there is none.
    /// </summary>
    public static RgbImage Decode(byte[] encoded, string? sourceName, ImageDecodeOptions? options = null)
    {
        options ??= ImageDecodeOptions.Default;
        if (encoded.Length == 0) throw new InvalidInputException(sourceName, "the file is empty (0 bytes), not an image");
        using var data = SKData.CreateCopy(encoded);
        using var codec = OpenCodec(data, sourceName);

        var info = codec.Info;
        long pixels = (long)info.Width * info.Height;
        if (pixels > options.MaxPixels)
        {
            throw new InvalidInputException(sourceName,
                $"the image is {info.Width}x{info.Height} = {pixels / 1e6:0.#} megapixels, above the limit of " +
                $"{options.MaxPixels / 1e6:0.#} megapixels (refused before decoding; raise ImageDecodeOptions.MaxPixels to allow it)");
        }

        // No colour-space conversion (gAMA/cHRM/ICC are not applied): the networks were trained, and the reference
        // implementations run, on the stored sample values, as PIL and OpenCV read them.
        var target = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap();
        if (!bitmap.TryAllocPixels(target))
            throw new InvalidInputException(sourceName, $"not enough memory to decode a {info.Width}x{info.Height} image");
        var result = codec.GetPixels(target, bitmap.GetPixels());
        switch (result)
        {
            case SKCodecResult.Success:
                break;
            case SKCodecResult.IncompleteInput:
                throw new InvalidInputException(sourceName, "the file is truncated: the image data ends before the last row");
            case SKCodecResult.ErrorInInput:
                throw new InvalidInputException(sourceName, "the image data is corrupt");
            default:
                throw new InvalidInputException(sourceName, $"the image could not be decoded ({result})");
        }

        var upright = ToRgbOverWhite(bitmap, sourceName);
        var origin = (ImageOrientation)codec.EncodedOrigin;
        return options.ApplyExifOrientation && Enum.IsDefined(origin) ? Orientation.Apply(upright, origin) : upright;
    }

    /// <summary>Reads the header of <paramref name="path"/>: format, upright size, orientation, frames. No pixels are decoded.</summary>
    public static ImageFileInfo ReadInfo(string path)
    {
        var bytes = ReadFile(path);
        if (bytes.Length == 0) throw new InvalidInputException(path, "the file is empty (0 bytes), not an image");
        using var data = SKData.CreateCopy(bytes);
        using var codec = OpenCodec(data, path);
        var origin = (ImageOrientation)codec.EncodedOrigin;
        if (!Enum.IsDefined(origin)) origin = ImageOrientation.TopLeft;
        bool swap = Orientation.SwapsAxes(origin);
        return new ImageFileInfo(path, FormatName(codec.EncodedFormat),
            swap ? codec.Info.Height : codec.Info.Width, swap ? codec.Info.Width : codec.Info.Height,
            origin, Math.Max(1, codec.FrameCount));
    }

    /// <summary>The lower-case name of a Skia encoded format ("jpeg", "png", ...).</summary>
    internal static string FormatName(SKEncodedImageFormat format) => format.ToString().ToLowerInvariant();

    private static byte[] ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) throw new InvalidInputException(path, "is a folder, not an image file");
        if (!File.Exists(path)) throw new InvalidInputException(path, "file not found");
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException(path, $"the file cannot be read ({e.Message})", e);
        }
    }

    private static SKCodec OpenCodec(SKData data, string? sourceName)
    {
        var stream = new SKMemoryStream(data);
        var codec = SKCodec.Create(stream, out var result);
        if (codec is not null) return codec; // the codec owns the stream now
        stream.Dispose();
        string problem = result switch
        {
            SKCodecResult.IncompleteInput => "the file is truncated: it ends inside the image header",
            // Skia answers Unimplemented both for unknown bytes and for formats this build lacks (HEIC, AVIF, TIFF).
            _ => $"not a recognized image format ({KnownFormats})",
        };
        throw new InvalidInputException(sourceName, problem);
    }

    /// <summary>Packs premultiplied RGBA into RGB composited over white: c + (255 - a) for each premultiplied channel.</summary>
    private static RgbImage ToRgbOverWhite(SKBitmap bitmap, string? sourceName)
    {
        var src = bitmap.GetPixelSpan();
        var rgb = new byte[bitmap.Width * bitmap.Height * 3];
        for (int i = 0, j = 0; j < rgb.Length; i += 4, j += 3)
        {
            int under = 255 - src[i + 3];
            rgb[j] = (byte)(src[i] + under);
            rgb[j + 1] = (byte)(src[i + 1] + under);
            rgb[j + 2] = (byte)(src[i + 2] + under);
        }
        return new RgbImage(bitmap.Width, bitmap.Height, rgb, sourceName);
    }
}
