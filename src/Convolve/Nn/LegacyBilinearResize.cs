using TorchSharp;
using static TorchSharp.torch;

namespace Convolve.Nn;

/// <summary>
/// TF.js <c>resizeBilinear(x, size, alignCorners=false, halfPixelCenters=false)</c> ("legacy" TF1 sampling), bit for
/// bit as the tfjs CPU backend computes it: source <c>= dst · in/out</c>, corners <c>floor</c> and <c>min(ceil, in−1)</c>,
/// interpolate horizontally then vertically, in double precision, stored as float32. This is NOT Torch's
/// <c>interpolate(align_corners=false)</c>, which samples at pixel centres.
/// </summary>
public static class LegacyBilinearResize
{
    /// <summary>Resizes <paramref name="nchw"/> [N,C,H,W] (float) to [N,C,<paramref name="outHeight"/>,<paramref name="outWidth"/>].</summary>
    public static Tensor Resize(Tensor nchw, int outHeight, int outWidth)
    {
        if (nchw.dim() != 4) throw new ArgumentException($"Expected [N,C,H,W], got [{string.Join(",", nchw.shape)}].", nameof(nchw));
        if (outHeight <= 0 || outWidth <= 0) throw new ArgumentOutOfRangeException(nameof(outHeight), "Output size must be positive.");
        using var scope = NewDisposeScope();
        var (y0, y1, fy) = Sampling((int)nchw.shape[2], outHeight, nchw.device);
        var (x0, x1, fx) = Sampling((int)nchw.shape[3], outWidth, nchw.device);

        // Gather the four corner images first (no arithmetic), then interpolate in double like JavaScript.
        var top = nchw.index_select(2, y0);
        var bottom = nchw.index_select(2, y1);
        var tl = top.index_select(3, x0).to_type(ScalarType.Float64);
        var tr = top.index_select(3, x1).to_type(ScalarType.Float64);
        var bl = bottom.index_select(3, x0).to_type(ScalarType.Float64);
        var br = bottom.index_select(3, x1).to_type(ScalarType.Float64);
        var fxRow = fx.view(1, 1, 1, outWidth);
        var fyCol = fy.view(1, 1, outHeight, 1);
        var upper = tl.add((tr - tl) * fxRow, Scalars.One);              // tl + (tr − tl)·fx
        var lower = bl.add((br - bl) * fxRow, Scalars.One);
        var result = upper.add((lower - upper) * fyCol, Scalars.One).to_type(nchw.dtype);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The legacy sampling taps along one axis: for each output index d, source <c>s = d·in/out</c> (double),
    /// <c>Lo = floor(s)</c>, <c>Hi = min(ceil(s), in−1)</c>, and <c>Frac = s − Lo</c>, the weight of <c>Hi</c>.
    /// </summary>
    public static (int[] Lo, int[] Hi, double[] Frac) Taps(int inSize, int outSize)
    {
        double ratio = (double)inSize / outSize;
        var lo = new int[outSize];
        var hi = new int[outSize];
        var frac = new double[outSize];
        for (int d = 0; d < outSize; d++)
        {
            double src = ratio * d;
            lo[d] = Math.Max(0, (int)Math.Floor(src));
            hi[d] = Math.Min(inSize - 1, (int)Math.Ceiling(src));
            frac[d] = src - lo[d];
        }
        return (lo, hi, frac);
    }

    private static (Tensor I0, Tensor I1, Tensor Frac) Sampling(int inSize, int outSize, Device device)
    {
        var (lo, hi, frac) = Taps(inSize, outSize);
        return (tensor(lo.Select(i => (long)i).ToArray(), device: device), tensor(hi.Select(i => (long)i).ToArray(), device: device),
            tensor(frac, ScalarType.Float64, device));
    }
}
