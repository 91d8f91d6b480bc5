using Convolve.Imaging;
using Convolve.Nn;
using static TorchSharp.torch;

namespace Convolve.Tests.Nn;

/// <summary>
/// The detectors' fused pad-to-square + legacy bilinear resize, which reads only the source rows/columns it samples,
/// must equal the two dense shared ops (pad the whole image bottom/right, then resize it) bit for bit.
/// </summary>
public sealed class SparseSquareResizeTests
{
    [Theory]
    [InlineData(800, 533, 512)]   // landscape, downscale, padding at the bottom
    [InlineData(600, 1250, 416)]  // portrait, downscale, padding at the right
    [InlineData(1920, 1280, 224)] // strong downscale
    [InlineData(97, 61, 416)]     // upscale, odd sizes
    [InlineData(512, 512, 512)]   // already the right size: no resampling
    [InlineData(300, 300, 608)]   // square, upscale
    [InlineData(1, 7, 32)]        // degenerate thin image
    public void EqualsPaddingThenResizingTheWholeImage(int width, int height, int size)
    {
        var image = RandomImage(width, height, seed: width * 31 + height);
        using var sparse = SparseSquareResize.Apply(image, size);

        using var full = image.ToTensor();
        using var padded = SquarePadding.PadToSquare(full, centred: false);
        using var dense = LegacyBilinearResize.Resize(padded, size, size);

        Assert.Equal(new long[] { 3, size, size }, sparse.shape);
        Assert.Equal(0.0, (sparse - dense.squeeze(0)).abs().max().item<float>());
    }

    [Theory]
    [InlineData(800, 533, 512, 512, 341)]   // 533·0.64 = 341.12
    [InlineData(600, 1250, 416, 200, 416)]  // 600·0.3328 = 199.68
    [InlineData(1000, 500, 7, 7, 4)]        // 3.5 rounds up, as JS Math.round does
    public void ReshapedDimensionsRoundLikeFaceApi(int width, int height, int size, int expectedW, int expectedH) =>
        Assert.Equal((expectedW, expectedH), SparseSquareResize.ReshapedDimensions(width, height, size));

    private static RgbImage RandomImage(int width, int height, int seed)
    {
        var bytes = new byte[width * height * 3];
        new Random(seed).NextBytes(bytes);
        return new RgbImage(width, height, bytes);
    }
}
