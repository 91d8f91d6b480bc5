using Convolve.Nn;
using Convolve.Weights;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Convolve.Models;

/// <summary>
/// face-api's TinyFaceDetector network (<c>tiny_face_detector_model</c>, spec §4): a Tiny-YOLOv2-style stack of a
/// 3×3 conv and five depthwise-separable convs with leaky ReLU and 2×2 max-pools, then a 1×1 conv giving, per grid
/// cell, 5 anchors × (tx, ty, tw, th, confidence). The grid is inputSize/32 cells a side.
/// </summary>
public sealed class TinyFaceDetectorNet : IDisposable
{
    /// <summary>Anchors per grid cell.</summary>
    public const int AnchorsPerCell = 5;

    /// <summary>Values per anchor: tx, ty, tw, th, confidence.</summary>
    public const int ValuesPerAnchor = 5;

    /// <summary>Anchor (width, height) in grid-cell units.</summary>
    public static IReadOnlyList<(double Width, double Height)> Anchors { get; } = new[]
    {
        (1.603231, 2.094468), (6.041143, 7.080126), (2.882459, 3.518061), (4.266906, 5.178857), (9.041765, 10.66308),
    };

    /// <summary>The mean RGB subtracted before dividing by 255.</summary>
    public static ReadOnlySpan<float> MeanRgb => [117.001f, 114.697f, 97.404f];

    private readonly Tensor _conv0Weight, _conv0Bias;
    private readonly SeparableConv[] _convs;          // conv1..conv5
    private readonly Tensor _conv8Weight, _conv8Bias;

    private TinyFaceDetectorNet(Tensor conv0Weight, Tensor conv0Bias, SeparableConv[] convs, Tensor conv8Weight, Tensor conv8Bias)
    {
        _conv0Weight = conv0Weight;
        _conv0Bias = conv0Bias;
        _convs = convs;
        _conv8Weight = conv8Weight;
        _conv8Bias = conv8Bias;
    }

    /// <summary>Loads the network from <c>tiny_face_detector_model-weights_manifest.json</c> (and its .bin beside it).</summary>
    public static TinyFaceDetectorNet Load(string manifestPath)
    {
        var weights = TfjsWeights.Load(manifestPath);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope(); // frees load-time temporaries; the kept weights are detached below
        var convs = new SeparableConv[5];
        for (int i = 1; i <= 5; i++)
            convs[i - 1] = new SeparableConv(
                weights.GetDepthwiseOihw($"conv{i}/depthwise_filter"),
                weights.GetOihw($"conv{i}/pointwise_filter"),
                weights.Get($"conv{i}/bias"));
        var network = new TinyFaceDetectorNet(
            weights.GetOihw("conv0/filters"), weights.Get("conv0/bias"),
            convs,
            weights.GetOihw("conv8/filters"), weights.Get("conv8/bias"));
        foreach (var tensor in network.Tensors) tensor.DetachFromDisposeScope(); // owned by the network, whatever scope the caller is in
        return network;
    }

    /// <summary>
    /// Runs the network on <paramref name="input"/> [B, 3, S, S] (S a multiple of 32; RGB minus <see cref="MeanRgb"/>,
    /// divided by 255). Returns the raw output in TF's NHWC layout [B, S/32, S/32, 25]: channel a·5 + k holds value k
    /// (tx, ty, tw, th, confidence) of anchor a.
    /// </summary>
    public Tensor Forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = Leaky(TfOps.Conv2dValid(input, _conv0Weight, _conv0Bias));   // 3×3 VALID
        x = TfOps.MaxPool2dSame(x, 2, 2);
        for (int i = 0; i < 4; i++)
            x = TfOps.MaxPool2dSame(_convs[i].Forward(x), 2, 2);         // conv1..conv4, each halving the grid
        x = TfOps.MaxPool2dSame(_convs[4].Forward(x), 2, 1);             // conv5, then a stride-1 pool
        x = F.conv2d(x, _conv8Weight, _conv8Bias);                    // conv8: 1×1, no activation
        return x.permute(0, 2, 3, 1).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>face-api's leaky ReLU, max(x, 0.1·x).</summary>
    private static Tensor Leaky(Tensor x) => x.leaky_relu_(Scalars.Of(0.1));

    private IEnumerable<Tensor> Tensors =>
        new[] { _conv0Weight, _conv0Bias }.Concat(_convs.SelectMany(c => c.Tensors)).Concat([_conv8Weight, _conv8Bias]);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var tensor in Tensors) tensor.Dispose();
    }

    /// <summary>
    /// face-api's TinyYolo "depthwiseSeparableConv": zero pad 1 on every side, 3×3 depthwise VALID, 1×1 pointwise,
    /// + bias, leaky ReLU.
    /// </summary>
    private sealed class SeparableConv(Tensor depthwise, Tensor pointwise, Tensor bias)
    {
        public Tensor Forward(Tensor x)
        {
            var y = F.conv2d(x, depthwise, padding: new long[] { 1, 1 }, groups: depthwise.shape[0]);
            return Leaky(F.conv2d(y, pointwise, bias));
        }

        public IEnumerable<Tensor> Tensors => [depthwise, pointwise, bias];
    }
}
