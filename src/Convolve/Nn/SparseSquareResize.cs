using Convolve.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace Convolve.Nn;

/// <summary>
/// face-api's detector input in one step: pad an 8-bit RGB image to a square with black at the bottom or right
/// (not centred) and resize it to <c>size</c>×<c>size</c> with TF.js legacy bilinear
/// (<c>alignCorners=false, halfPixelCenters=false</c>).
/// </summary>
/// <remarks>
/// Legacy bilinear output pixel (r, c) reads only source rows floor(r·s), ceil(r·s) and columns floor(c·s), ceil(c·s)
/// with s = max(W,H)/size. So this copies just those ≤ 2·size rows out of the byte image and gathers just those
/// ≤ 2·size columns: a 100-megapixel photo never becomes a full-resolution float tensor, and the result is the
/// same as padding then resizing the whole image (no pre-downscale approximation). Arithmetic is done in double
/// and rounded once to float32, as TF.js's CPU kernel does (JS numbers are doubles, the output is a Float32Array).
/// </remarks>
public static class SparseSquareResize
{
    /// <summary>The padded, resized image as float32 [3, size, size] with values 0..255 (a channels-first view of channels-last memory).</summary>
    public static Tensor Apply(RgbImage image, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        using var scope = NewDisposeScope();
        int side = Math.Max(image.Width, image.Height);
        var (rowLo, rowHi, rowFrac) = LegacyBilinearResize.Taps(side, size);
        var (colLo, colHi, colFrac) = LegacyBilinearResize.Taps(side, size);

        // [2·size, W + 1, 3] bytes: the "top" and "bottom" source row of every output row. Rows past the bottom edge
        // and the extra last column stay zero: they are the black padding of the square.
        int width = image.Width, stride = (width + 1) * 3;
        long byteCount = 2L * size * stride;
        if (byteCount > Array.MaxLength) throw new ArgumentException($"A {width}-pixel-wide image is too wide to resize.", nameof(image));
        var rows = new byte[byteCount];
        for (int r = 0; r < size; r++)
        {
            CopyRow(image, rowLo[r], rows, r * stride);
            CopyRow(image, rowHi[r], rows, (size + r) * stride);
        }
        var rowTaps = tensor(rows, new long[] { 2 * size, width + 1, 3 }, ScalarType.Byte); // 3-D: index_select is faster there

        // Gather the left and right source column of every output column (padding columns read the zero column).
        var left = GatherColumns(rowTaps, colLo, width);
        var right = GatherColumns(rowTaps, colHi, width);
        var fx = tensor(colFrac).view(1, 1, size, 1);
        var fy = tensor(rowFrac).view(size, 1, 1);

        var horizontal = right.sub_(left).mul_(fx).add_(left, Scalars.One);        // left + (right − left)·fx, [2, size, size, 3]
        var top = horizontal[0];
        var resized = horizontal[1].sub_(top).mul_(fy).add_(top, Scalars.One);      // top + (bottom − top)·fy, [size, size, 3]
        return resized.to_type(ScalarType.Float32).permute(2, 0, 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// face-api's "reshaped input dimensions": the size the unpadded image takes inside the square,
    /// <c>round(W·size/max(W,H))</c> and <c>round(H·size/max(W,H))</c> (JS rounding, .5 up).
    /// </summary>
    public static (int Width, int Height) ReshapedDimensions(int width, int height, int size)
    {
        double scale = size / (double)Math.Max(width, height);
        return ((int)Math.Floor(width * scale + 0.5), (int)Math.Floor(height * scale + 0.5));
    }

    private static void CopyRow(RgbImage image, int sourceRow, byte[] destination, int offset)
    {
        if (sourceRow >= image.Height) return; // padding row: zeros
        int rowBytes = image.Width * 3;
        Buffer.BlockCopy(image.Pixels, sourceRow * rowBytes, destination, offset, rowBytes);
    }

    private static Tensor GatherColumns(Tensor rowTaps, int[] columns, int width)
    {
        var index = tensor(columns.Select(c => (long)Math.Min(c, width)).ToArray()); // column `width` is the zero column
        return rowTaps.index_select(1, index).to_type(ScalarType.Float64).view(2, -1, columns.Length, 3);
    }
}
