using Convolve.Imaging;
using Convolve.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace Convolve.Faces;

/// <summary>
/// Cutting face crops out of images and turning them into network input the way face-api's tensor path does
/// (spec §1.6): crop → pad to a square (centred, zeros, on raw 0..255 values) → TF legacy bilinear resize to S×S
/// (only when the size differs) → subtract the per-channel mean → divide by 255.
/// </summary>
public static class FaceCrops
{
    /// <summary>The pixels of <paramref name="rect"/> (which must lie inside the image) as float [1,3,h,w] with values 0..255.</summary>
    public static Tensor CropToTensor(RgbImage image, PixelRect rect)
    {
        if (rect.IsEmpty || rect.X < 0 || rect.Y < 0 || rect.X + rect.Width > image.Width || rect.Y + rect.Height > image.Height)
            throw new ArgumentOutOfRangeException(nameof(rect), $"Crop {rect} is empty or not inside the {image.Width}x{image.Height} image.");
        int rowBytes = rect.Width * 3;
        var bytes = new byte[rowBytes * rect.Height];
        for (int r = 0; r < rect.Height; r++)   // one block copy a row
            Buffer.BlockCopy(image.Pixels, ((rect.Y + r) * image.Width + rect.X) * 3, bytes, r * rowBytes, rowBytes);
        using var scope = NewDisposeScope();
        var hwc = tensor(bytes, new long[] { rect.Height, rect.Width, 3 }, ScalarType.Byte);
        return hwc.permute(2, 0, 1).unsqueeze(0).to_type(ScalarType.Float32).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>One crop [1,3,h,w] (0..255) padded to a centred square and resized to <paramref name="size"/>² with TF legacy bilinear.</summary>
    public static Tensor SquareAndResize(Tensor crop, int size)
    {
        using var scope = NewDisposeScope();
        var square = SquarePadding.PadToSquare(crop, centred: true);
        var resized = square.shape[2] == size ? square : LegacyBilinearResize.Resize(square, size, size);
        return resized.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A normalised batch [N,3,S,S] for a network: each crop of <paramref name="image"/> squared and resized, then
    /// <c>(x − mean)/255</c>. Every rect must be inside the image and non-empty.
    /// </summary>
    public static Tensor ToNetworkInput(RgbImage image, IReadOnlyList<PixelRect> crops, int size, ReadOnlySpan<float> meanRgb)
    {
        using var scope = NewDisposeScope();
        var batch = cat(crops.Select(r => SquareAndResize(CropToTensor(image, r), size)).ToArray(), 0);
        return TfOps.SubtractMeanAndDivide(batch, meanRgb, 255f).MoveToOuterDisposeScope();
    }
}
