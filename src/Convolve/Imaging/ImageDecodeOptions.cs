namespace Convolve.Imaging;

/// <summary>Limits and choices for <see cref="ImageDecoder"/>.</summary>
public sealed record ImageDecodeOptions
{
    /// <summary>The default limit on width·height: 100 megapixels.</summary>
    public const long DefaultMaxPixels = 100_000_000;

    /// <summary>The options used by <see cref="ImageDecoder.Load(string)"/>.</summary>
    public static ImageDecodeOptions Default { get; } = new();

    /// <summary>
    /// Images whose header declares more pixels than this are refused before any pixel memory is allocated
    /// (a decompression-bomb guard: a few kilobytes of PNG can declare gigabytes of pixels).
    /// </summary>
    public long MaxPixels { get; init; } = DefaultMaxPixels;

    /// <summary>Rotate/flip the pixels as the EXIF orientation tag says, so the image is upright (default true).</summary>
    public bool ApplyExifOrientation { get; init; } = true;
}
