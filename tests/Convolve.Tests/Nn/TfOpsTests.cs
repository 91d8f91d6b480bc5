using Convolve.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace Convolve.Tests.Nn;

/// <summary>TF padding, pooling, separable conv, pad-to-square and legacy resize, against values worked out by hand from the TF definitions.</summary>
public sealed class TfOpsTests
{
    [Theory]
    [InlineData(112, 3, 2, 0, 1)]   // stride 2 on even input: extra pixel bottom/right
    [InlineData(7, 3, 1, 1, 1)]
    [InlineData(207, 2, 2, 0, 1)]   // tiny-yolo max pool on odd input
    [InlineData(13, 2, 1, 0, 1)]    // tiny-yolo stride-1 max pool
    [InlineData(8, 2, 2, 0, 0)]
    [InlineData(5, 7, 2, 3, 3)]     // out 3, total (3−1)·2 + 7 − 5 = 6
    public void Same_padding_amounts(long input, long k, long s, long before, long after)
    {
        Assert.Equal((before, after), TfOps.SamePadding(input, k, s));
    }

    [Fact]
    public void Stride2_same_conv_pads_bottom_right_only()
    {
        using var x = arange(16, dtype: float32).reshape(1, 1, 4, 4);
        using var w = ones(1, 1, 3, 3);
        using var y = TfOps.Conv2dSame(x, w, null, stride: 2);
        // Windows rows/cols {0,1,2} and {2,3,(pad)}: sums of the covered cells of x[r,c] = 4r + c.
        float Sum(int r0, int r1, int c0, int c1) { float s = 0; for (int r = r0; r <= r1; r++) for (int c = c0; c <= c1; c++) s += 4 * r + c; return s; }
        Assert.Equal([Sum(0, 2, 0, 2), Sum(0, 2, 2, 3), Sum(2, 3, 0, 2), Sum(2, 3, 2, 3)], y.flatten().data<float>().ToArray());
    }

    [Fact]
    public void Same_max_pool_ignores_padding_even_for_negative_inputs()
    {
        using var x = arange(9, dtype: float32).reshape(1, 1, 3, 3).sub(100);
        using var y = TfOps.MaxPool2dSame(x, 2, 2);
        Assert.Equal([-96f, -95f, -93f, -92f], y.flatten().data<float>().ToArray());
    }

    [Fact]
    public void Separable_conv_is_depthwise_then_pointwise_then_bias()
    {
        using var x = arange(2 * 4 * 4, dtype: float32).reshape(1, 2, 4, 4);
        using var dw = stack(new[] { ones(1, 3, 3), full(1, 3, 3, 2f) });   // [2,1,3,3]: channel 1 doubled
        using var pw = tensor(new float[] { 1, 10, -1, 1 }, new long[] { 2, 2, 1, 1 });
        using var b = tensor(new float[] { 0.5f, -0.5f });
        using var y = TfOps.SeparableConv2dSame(x, dw, pw, b, stride: 2);
        // Output (0,0): window rows/cols 0..2 of each channel; channel c cell = 16c + 4r + col.
        float s0 = 0, s1 = 0;
        for (int r = 0; r < 3; r++) for (int c = 0; c < 3; c++) { s0 += 4 * r + c; s1 += 2 * (16 + 4 * r + c); }
        Assert.Equal(new long[] { 1, 2, 2, 2 }, y.shape);
        Assert.Equal(s0 + 10 * s1 + 0.5f, y[0, 0, 0, 0].item<float>());
        Assert.Equal(-s0 + s1 - 0.5f, y[0, 1, 0, 0].item<float>());
    }

    [Theory]
    [InlineData(3, 6, true, 1, 2, 0, 0)]    // diff 3: after = round(1.5) = 2
    [InlineData(6, 5, true, 0, 0, 0, 1)]    // diff 1: after = round(0.5) = 1, before 0
    [InlineData(4, 8, false, 0, 4, 0, 0)]
    [InlineData(9, 4, false, 0, 0, 0, 5)]
    [InlineData(5, 5, true, 0, 0, 0, 0)]
    public void Pad_to_square_amounts(int w, int h, bool centred, int l, int r, int t, int b)
    {
        Assert.Equal((l, r, t, b), SquarePadding.Amounts(w, h, centred));
        using var img = ones(1, 3, h, w);
        using var sq = SquarePadding.PadToSquare(img, centred);
        int s = Math.Max(w, h);
        Assert.Equal(new long[] { 1, 3, s, s }, sq.shape);
        Assert.Equal(3f * w * h, sq.sum().item<float>());
        if (l > 0) Assert.Equal(0f, sq[0, 0, 0, 0].item<float>());
        Assert.Equal(1f, sq[0, 0, t, l].item<float>());
    }

    [Fact]
    public void Legacy_resize_by_hand()
    {
        using var x = tensor(new float[] { 0, 10, 20 }, new long[] { 1, 1, 1, 3 });
        using var down = LegacyBilinearResize.Resize(x, 1, 2);   // ratio 1.5: src 0, 1.5 → 0, 15
        Assert.Equal([0f, 15f], down.flatten().data<float>().ToArray());
        using var up = LegacyBilinearResize.Resize(x, 1, 4);     // ratio 0.75: src 0, .75, 1.5, 2.25 (clamped to 20)
        Assert.Equal([0f, 7.5f, 15f, 20f], up.flatten().data<float>().ToArray());
    }

    [Fact]
    public void Legacy_resize_matches_scalar_formula_exactly_and_differs_from_half_pixel()
    {
        var gen = new Random(7);
        int n = 2, c = 3, h = 37, w = 53, oh = 29, ow = 71;
        var data = Enumerable.Range(0, n * c * h * w).Select(_ => (float)(gen.NextDouble() * 255)).ToArray();
        using var x = tensor(data, new long[] { n, c, h, w });
        using var y = LegacyBilinearResize.Resize(x, oh, ow);
        var got = y.data<float>().ToArray();

        // TF.js CPU kernel, scalar, in double: horizontal lerp then vertical, stored as float32.
        double ry = (double)h / oh, rx = (double)w / ow;
        float At(int b, int ch, int yy, int xx) => data[((b * c + ch) * h + yy) * w + xx];
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++)
                    {
                        double sy = ry * i, sx = rx * j;
                        int y0 = (int)Math.Floor(sy), x0 = (int)Math.Floor(sx);
                        int y1 = Math.Min(h - 1, (int)Math.Ceiling(sy)), x1 = Math.Min(w - 1, (int)Math.Ceiling(sx));
                        double fy = sy - y0, fx = sx - x0;
                        double top = At(b, ch, y0, x0) + (At(b, ch, y0, x1) - (double)At(b, ch, y0, x0)) * fx;
                        double bot = At(b, ch, y1, x0) + (At(b, ch, y1, x1) - (double)At(b, ch, y1, x0)) * fx;
                        Assert.Equal((float)(top + (bot - top) * fy), got[((b * c + ch) * oh + i) * ow + j]);
                    }

        using var halfPixel = nn.functional.interpolate(x, new long[] { oh, ow }, mode: InterpolationMode.Bilinear, align_corners: false);
        Assert.True(halfPixel.sub(y).abs().max().item<float>() > 1f);
    }
}
