using Convolve.Imaging;
using Convolve.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace Convolve.Faces;

/// <summary>
/// Cutting face crops out of images and turning them into network input the way face-api's tensor path does
/// (spec §1.6): crop → pad to a square (centred, zeros, on raw 0..255 values) → TF legacy bilinear resize to S×S
/// → subtract the per-channel mean → divide by 255.
/// </summary>
public static class FaceCrops
{
    /// <summary>The pixels of <paramref name="rect"/> (which must lie inside the image) as float [1,3,h,w] with values 0..255.</summary>
    public static Tensor CropToTensor(RgbImage image, PixelRect rect)
    {
        CheckInside(image, rect);
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
    /// <see cref="CropToTensor"/> then <see cref="SquareAndResize"/> in one step, with the same result bit for bit:
    /// legacy bilinear output row r reads only two source rows (and likewise for columns), so only those ≤ 2·size
    /// rows of the crop are copied out of the byte image and only the needed columns are gathered; rows and columns
    /// that fall in the square's padding read zeros. Returns float [1,3,size,size] with values 0..255.
    /// </summary>
    public static Tensor CropSquareResize(RgbImage image, PixelRect rect, int size)
    {
        CheckInside(image, rect);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        using var scope = NewDisposeScope();
        int side = Math.Max(rect.Width, rect.Height);
        var (left, _, top, _) = SquarePadding.Amounts(rect.Width, rect.Height, centred: true);
        var (rowLo, rowHi, rowFrac) = LegacyBilinearResize.Taps(side, size);
        var (colLo, colHi, colFrac) = LegacyBilinearResize.Taps(side, size);

        // [2, size, w + 1, 3] bytes: the upper and lower source row of every output row, cut to the crop's columns,
        // plus a zero column at the end. Rows in the padding stay zero.
        int stride = (rect.Width + 1) * 3;
        var rows = new byte[2 * size * stride];
        for (int r = 0; r < size; r++)
        {
            CopyCropRow(image, rect, rowLo[r] - top, rows, r * stride);
            CopyCropRow(image, rect, rowHi[r] - top, rows, (size + r) * stride);
        }
        var taps = tensor(rows, new long[] { 2 * size, rect.Width + 1, 3 }, ScalarType.Byte);
        var lo = Columns(taps, colLo, left, rect.Width);
        var hi = Columns(taps, colHi, left, rect.Width);
        var fx = tensor(colFrac).view(1, size, 1);
        var fy = tensor(rowFrac).view(size, 1, 1);

        // TF.js CPU kernel order, in double: horizontal lerp, then vertical; rounded once to float32.
        var horizontal = hi.sub_(lo).mul_(fx).add_(lo, Scalars.One);                   // lo + (hi − lo)·fx, [2·size, size, 3]
        var upper = horizontal.narrow(0, 0, size);
        var resized = horizontal.narrow(0, size, size).sub_(upper).mul_(fy).add_(upper, Scalars.One);   // upper + (lower − upper)·fy
        return resized.to_type(ScalarType.Float32).permute(2, 0, 1).unsqueeze(0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A normalised batch [N,3,S,S] for a network: each crop squared (centred) and resized to S, then
    /// <c>(x − mean)/255</c>. Every rect must be inside its image and non-empty.
    /// </summary>
    public static Tensor ToNetworkInput(IReadOnlyList<(RgbImage Image, PixelRect Crop)> crops, int size, ReadOnlySpan<float> meanRgb)
    {
        // Crops are independent small tensor jobs that barely use torch's intra-op threads: run them side by side.
        var squares = new Tensor[crops.Count];
        try
        {
            Parallel.For(0, crops.Count, i => squares[i] = CropSquareResize(crops[i].Image, crops[i].Crop, size));
            using var scope = NewDisposeScope();
            var batch = cat(squares, 0);
            return TfOps.SubtractMeanAndDivide(batch, meanRgb, 255f).MoveToOuterDisposeScope();
        }
        finally
        {
            foreach (var t in squares) t?.Dispose();
        }
    }

    /// <summary>Crops of one image; see <see cref="ToNetworkInput(IReadOnlyList{ValueTuple{RgbImage, PixelRect}}, int, ReadOnlySpan{float})"/>.</summary>
    public static Tensor ToNetworkInput(RgbImage image, IReadOnlyList<PixelRect> crops, int size, ReadOnlySpan<float> meanRgb) =>
        ToNetworkInput(crops.Select(c => (image, c)).ToList(), size, meanRgb);

    private static void CheckInside(RgbImage image, PixelRect rect)
    {
        if (rect.IsEmpty || rect.X < 0 || rect.Y < 0 || rect.X + rect.Width > image.Width || rect.Y + rect.Height > image.Height)
            throw new ArgumentOutOfRangeException(nameof(rect), $"Crop {rect} is empty or not inside the {image.Width}x{image.Height} image.");
    }

    /// <summary>Copies crop row <paramref name="cropRow"/> (nothing when it is in the padding) to <paramref name="offset"/>.</summary>
    private static void CopyCropRow(RgbImage image, PixelRect rect, int cropRow, byte[] destination, int offset)
    {
        if (cropRow < 0 || cropRow >= rect.Height) return;
        Buffer.BlockCopy(image.Pixels, ((rect.Y + cropRow) * image.Width + rect.X) * 3, destination, offset, rect.Width * 3);
    }

    /// <summary>Gathers square columns (crop column = square column − left; padding reads the zero column) as double.</summary>
    private static Tensor Columns(Tensor taps, int[] squareColumns, int left, int width)
    {
        var index = tensor(squareColumns.Select(c => (long)(c - left is var k && k >= 0 && k < width ? k : width)).ToArray());
        return taps.index_select(1, index).to_type(ScalarType.Float64);
    }
}
