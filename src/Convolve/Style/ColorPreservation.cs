using Convolve.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace Convolve.Style;

/// <summary>How (and whether) the output keeps the content image's colours.</summary>
public enum ColorPreservation
{
    /// <summary>Colours come from the style.</summary>
    None,

    /// <summary>Luminance-only transfer: the output's luminance (Y of YIQ) with the content's chrominance (I, Q).</summary>
    Luminance,

    /// <summary>Colour histogram matching: before transfer, each style image is recoloured so its RGB mean and covariance equal the content's.</summary>
    Histogram,
}

/// <summary>Colour-space helpers for colour preservation (Gatys et al. 2016, "Preserving color in neural artistic style transfer").</summary>
public static class ColorTransfer
{
    // NTSC YIQ (FCC 1953 coefficients).
    private static readonly float[] RgbToYiqMatrix =
    {
        0.299f, 0.587f, 0.114f,
        0.595716f, -0.274453f, -0.321263f,
        0.211456f, -0.522591f, 0.311135f,
    };

    /// <summary>RGB [1,3,H,W] → YIQ [1,3,H,W] (same value range as the input).</summary>
    public static Tensor RgbToYiq(Tensor rgb) => Mix(rgb, RgbToYiqMatrix);

    /// <summary>YIQ [1,3,H,W] → RGB [1,3,H,W] (the exact inverse of <see cref="RgbToYiq"/>).</summary>
    public static Tensor YiqToRgb(Tensor yiq)
    {
        using var m = tensor(RgbToYiqMatrix, new long[] { 3, 3 }, ScalarType.Float64);
        using var inv = linalg.inv(m).to_type(ScalarType.Float32);
        return Mix(yiq, inv.data<float>().ToArray());
    }

    /// <summary>Luminance of <paramref name="generated"/> with the chrominance of <paramref name="content"/> (both RGB [1,3,H,W], same size).</summary>
    public static Tensor KeepContentChrominance(Tensor generated, Tensor content)
    {
        using var scope = NewDisposeScope();
        var g = RgbToYiq(generated);
        var c = RgbToYiq(content);
        var mixed = cat(new[] { g[.., 0..1], c[.., 1..3] }, 1);
        return YiqToRgb(mixed).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Recolours <paramref name="style"/> so its RGB mean and covariance match <paramref name="content"/>'s:
    /// x' = L_c·L_s⁻¹·(x − μ_s) + μ_c with L the Cholesky factors of the covariances.
    /// </summary>
    public static Tensor MatchHistogram(Tensor style, Tensor content)
    {
        using var scope = NewDisposeScope();
        var (muS, covS) = MeanCov(style);
        var (muC, covC) = MeanCov(content);
        var eye3 = eye(3, dtype: ScalarType.Float64).mul(Scalars.Of(1e-5));
        var lS = linalg.cholesky(covS.add(eye3, Scalars.One));
        var lC = linalg.cholesky(covC.add(eye3, Scalars.One));
        var a = lC.matmul(linalg.inv(lS)).to_type(ScalarType.Float32);
        var flat = style.reshape(3, -1).sub(muS.to_type(ScalarType.Float32).unsqueeze(1));
        var result = a.matmul(flat).add(muC.to_type(ScalarType.Float32).unsqueeze(1), Scalars.One).reshape(style.shape);
        return result.MoveToOuterDisposeScope();
    }

    private static (Tensor Mean, Tensor Cov) MeanCov(Tensor rgb)
    {
        var flat = rgb.reshape(3, -1).to_type(ScalarType.Float64);
        var mean = flat.mean(new long[] { 1 });
        var centred = flat.sub(mean.unsqueeze(1));
        using var count = flat.shape[1].ToScalar();   // a using local, alive through the native call (see Scalars)
        var cov = centred.matmul(centred.t()).div(count);
        return (mean, cov);
    }

    private static Tensor Mix(Tensor image, float[] matrix3x3)
    {
        using var m = tensor(matrix3x3, new long[] { 3, 3, 1, 1 });
        return nn.functional.conv2d(image, m);
    }
}
