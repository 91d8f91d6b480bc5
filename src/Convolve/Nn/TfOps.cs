using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Convolve.Nn;

/// <summary>
/// TensorFlow semantics on NCHW Torch tensors, for running networks trained in TF/TF.js with identical results
/// (spec faceapi-models.md §1.5). Weights are Torch layouts: OIHW for convs, [C,1,kh,kw] for depthwise.
/// </summary>
public static class TfOps
{
    /// <summary>
    /// TF "SAME" padding along one axis: output <c>ceil(in/stride)</c>, total <c>max((out−1)·stride + k − in, 0)</c>,
    /// <c>before = total/2</c> (floored) and the extra pixel after (bottom/right).
    /// </summary>
    public static (long Before, long After) SamePadding(long input, long kernel, long stride)
    {
        long output = (input + stride - 1) / stride;
        long total = Math.Max((output - 1) * stride + kernel - input, 0);
        long before = total / 2;
        return (before, total - before);
    }

    /// <summary>Pads <paramref name="x"/> [N,C,H,W] for a SAME window of <paramref name="kernelH"/>×<paramref name="kernelW"/> with the given stride, filling with <paramref name="value"/>.</summary>
    public static Tensor PadSame(Tensor x, long kernelH, long kernelW, long stride, double value = 0)
    {
        var (top, bottom) = SamePadding(x.shape[2], kernelH, stride);
        var (left, right) = SamePadding(x.shape[3], kernelW, stride);
        return F.pad(x, new[] { left, right, top, bottom }, PaddingModes.Constant, value);
    }

    /// <summary>TF <c>conv2d(x, w, stride, 'same')</c> (+ bias when given): asymmetric padding when TF's is.</summary>
    public static Tensor Conv2dSame(Tensor x, Tensor weight, Tensor? bias, long stride = 1, long groups = 1)
    {
        long kh = weight.shape[2], kw = weight.shape[3];
        var (top, bottom) = SamePadding(x.shape[2], kh, stride);
        var (left, right) = SamePadding(x.shape[3], kw, stride);
        if (top == bottom && left == right)   // symmetric: let the convolution pad (no copy)
            return F.conv2d(x, weight, bias, strides: new[] { stride, stride }, padding: new[] { top, left }, groups: groups);
        using var padded = F.pad(x, new[] { left, right, top, bottom });
        return F.conv2d(padded, weight, bias, strides: new[] { stride, stride }, padding: new long[] { 0, 0 }, groups: groups);
    }

    /// <summary>TF <c>conv2d(x, w, stride, 'valid')</c> (+ bias when given).</summary>
    public static Tensor Conv2dValid(Tensor x, Tensor weight, Tensor? bias, long stride = 1) =>
        F.conv2d(x, weight, bias, strides: new[] { stride, stride }, padding: new long[] { 0, 0 });

    /// <summary>TF <c>depthwiseConv2d(x, w, stride, 'same')</c> with multiplier 1; <paramref name="depthwise"/> is [C,1,kh,kw].</summary>
    public static Tensor DepthwiseConv2dSame(Tensor x, Tensor depthwise, long stride = 1) =>
        Conv2dSame(x, depthwise, null, stride, groups: x.shape[1]);

    /// <summary>
    /// TF <c>separableConv2d(x, dw, pw, stride, 'same')</c> + <paramref name="bias"/>: depthwise conv (stride, SAME),
    /// then a 1×1 pointwise conv, no activation in between; the bias is added after the pointwise conv.
    /// </summary>
    public static Tensor SeparableConv2dSame(Tensor x, Tensor depthwise, Tensor pointwise, Tensor? bias, long stride = 1)
    {
        using var dw = DepthwiseConv2dSame(x, depthwise, stride);
        return F.conv2d(dw, pointwise, bias);
    }

    /// <summary>TF <c>maxPool(x, k, stride, 'same')</c>: padded cells never win (they are −∞).</summary>
    public static Tensor MaxPool2dSame(Tensor x, long kernel, long stride)
    {
        using var padded = PadSame(x, kernel, kernel, stride, double.NegativeInfinity);
        return F.max_pool2d(padded, new[] { kernel, kernel }, new[] { stride, stride });
    }

    /// <summary>TF <c>maxPool(x, k, stride, 'valid')</c>.</summary>
    public static Tensor MaxPool2dValid(Tensor x, long kernel, long stride) =>
        F.max_pool2d(x, new[] { kernel, kernel }, new[] { stride, stride });

    /// <summary>TF <c>avgPool(x, k, stride, 'valid')</c>.</summary>
    public static Tensor AvgPool2dValid(Tensor x, long kernel, long stride) =>
        F.avg_pool2d(x, new[] { kernel, kernel }, new[] { stride, stride });

    /// <summary>Subtracts a per-channel mean (RGB order) and divides by <paramref name="divisor"/>, in float32 like face-api's <c>normalize(x, meanRgb).div(d)</c>.</summary>
    public static Tensor SubtractMeanAndDivide(Tensor nchw, ReadOnlySpan<float> meanRgb, float divisor)
    {
        using var mean = tensor(meanRgb.ToArray(), new long[] { 1, meanRgb.Length, 1, 1 }, ScalarType.Float32);
        using var centred = nchw.sub(mean);
        using var d = divisor.ToScalar();   // kept alive by the using until the native call is done (see Scalars)
        return centred.div(d);
    }
}
