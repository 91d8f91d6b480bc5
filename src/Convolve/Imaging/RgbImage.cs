using TorchSharp;
using static TorchSharp.torch;

namespace Convolve.Imaging;

/// <summary>An 8-bit RGB image in memory: row-major, 3 bytes a pixel, no padding between rows.</summary>
public sealed class RgbImage
{
    /// <summary>Wraps <paramref name="pixels"/> (length must be width·height·3).</summary>
    public RgbImage(int width, int height, byte[] pixels, string? source = null)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), "An image needs at least one pixel.");
        if (pixels.Length != checked(width * height * 3))
            throw new ArgumentException($"Expected {width * height * 3} bytes for {width}x{height} RGB, got {pixels.Length}.", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
        Source = source;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>RGB bytes, row-major.</summary>
    public byte[] Pixels { get; }

    /// <summary>Where the image came from (a file path), for error messages; null for images made in memory.</summary>
    public string? Source { get; }

    /// <summary>A float32 tensor [1, 3, H, W] with values 0..255 (or 0..1 when <paramref name="unitRange"/>).</summary>
    public Tensor ToTensor(bool unitRange = false)
    {
        using var scope = NewDisposeScope();
        var hwc = tensor(Pixels, new long[] { Height, Width, 3 }, ScalarType.Byte);
        var nchw = hwc.permute(2, 0, 1).unsqueeze(0).to_type(ScalarType.Float32);
        if (unitRange) nchw = nchw.div(Nn.Scalars.Of(255f));
        return nchw.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Makes an image from a tensor [1, 3, H, W] or [3, H, W] with values 0..255 (or 0..1 when <paramref name="unitRange"/>); values are rounded and clamped.</summary>
    public static RgbImage FromTensor(Tensor image, bool unitRange = false)
    {
        using var scope = NewDisposeScope();
        var t = image.dim() == 4 ? image.squeeze(0) : image;
        if (t.dim() != 3 || t.shape[0] != 3) throw new ArgumentException($"Expected [1,3,H,W] or [3,H,W], got [{string.Join(",", image.shape)}].");
        var scaled = unitRange ? t.mul(Nn.Scalars.Of(255f)) : t;
        var bytes = scaled.detach().to(CPU).round().clamp(Nn.Scalars.Of(0), Nn.Scalars.Of(255)).to_type(ScalarType.Byte).permute(1, 2, 0).contiguous();
        return new RgbImage((int)t.shape[2], (int)t.shape[1], bytes.data<byte>().ToArray());
    }
}
