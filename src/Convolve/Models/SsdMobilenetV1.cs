using Convolve.Nn;
using Convolve.Weights;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Convolve.Models;

/// <summary>
/// face-api's SSD MobileNetV1 face detector (<c>ssd_mobilenetv1_model</c>): a MobileNetV1 backbone, four extra
/// feature layers, and six box/class predictors over 5118 fixed anchors (spec §3). Input: a batch of 512×512 RGB
/// images scaled to [−1, 1]; output: decoded boxes relative to the 512 square and face scores for every anchor.
/// </summary>
public sealed class SsdMobilenetV1 : IDisposable
{
    /// <summary>The fixed input side length.</summary>
    public const int InputSize = 512;

    /// <summary>Number of anchors (and predictions) per image: 32²·3 + (16² + 8² + 4² + 2² + 1²)·6.</summary>
    public const int AnchorCount = 5118;

    /// <summary>TF's BatchNorm epsilon as stored in the graph (float32 1e-3).</summary>
    private const double BatchNormEpsilon = 0.0010000000474974513;

    private static readonly int[] StrideTwoLayers = { 2, 4, 6, 12 };

    private readonly ConvRelu6 _conv0;
    private readonly DepthwiseSeparable[] _layers;     // MobilenetV1 layers 1..13
    private readonly ConvRelu6[] _extraLayers;         // Prediction/Conv2d_0..7
    private readonly BoxPredictor[] _boxPredictors;    // on feature maps 0..5
    private readonly Tensor _anchors;                  // [5118, 4] as [ymin, xmin, ymax, xmax]

    private SsdMobilenetV1(ConvRelu6 conv0, DepthwiseSeparable[] layers, ConvRelu6[] extraLayers, BoxPredictor[] boxPredictors, Tensor anchors)
    {
        _conv0 = conv0;
        _layers = layers;
        _extraLayers = extraLayers;
        _boxPredictors = boxPredictors;
        _anchors = anchors;
    }

    /// <summary>Loads the network from <c>ssd_mobilenetv1_model-weights_manifest.json</c> (and its .bin beside it).</summary>
    public static SsdMobilenetV1 Load(string manifestPath)
    {
        var weights = TfjsWeights.Load(manifestPath);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope(); // frees load-time temporaries; the kept weights are detached below

        var conv0 = ConvRelu6.From(weights, "MobilenetV1/Conv2d_0_pointwise/weights", "MobilenetV1/Conv2d_0_pointwise/convolution_bn_offset", stride: 2);
        var layers = new DepthwiseSeparable[13];
        for (int i = 1; i <= 13; i++)
            layers[i - 1] = DepthwiseSeparable.From(weights, $"MobilenetV1/Conv2d_{i}", stride: StrideTwoLayers.Contains(i) ? 2 : 1);

        var extras = new ConvRelu6[8];
        for (int k = 0; k < 8; k++)
            extras[k] = ConvRelu6.From(weights, $"Prediction/Conv2d_{k}_pointwise/weights", $"Prediction/Conv2d_{k}_pointwise/convolution_bn_offset", stride: k % 2 == 1 ? 2 : 1);

        var predictors = new BoxPredictor[6];
        for (int j = 0; j < 6; j++)
            predictors[j] = BoxPredictor.From(weights, $"Prediction/BoxPredictor_{j}");

        using var storedAnchors = weights.Get("Output/extra_dim");
        var anchors = storedAnchors.reshape(AnchorCount, 4).clone();
        var network = new SsdMobilenetV1(conv0, layers, extras, predictors, anchors);
        foreach (var tensor in network.Tensors) tensor.DetachFromDisposeScope(); // owned by the network, whatever scope the caller is in
        return network;
    }

    /// <summary>
    /// Runs the network on <paramref name="input"/> [B, 3, 512, 512] (values in [−1, 1]). Returns boxes
    /// [B, 5118, 4] as (ymin, xmin, ymax, xmax) relative to the padded square, and scores [B, 5118] = sigmoid of
    /// class logit 1.
    /// </summary>
    public (Tensor Boxes, Tensor Scores) Forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long batch = input.shape[0];

        // MobileNetV1 backbone: feature map 0 is layer 11's output (512×32²), feature map 1 the last (1024×16²).
        var x = _conv0.Forward(input);
        Tensor? featureMap0 = null;
        for (int i = 0; i < _layers.Length; i++)
        {
            x = _layers[i].Forward(x);
            if (i + 1 == 11) featureMap0 = x;
        }
        var featureMaps = new Tensor[6];
        featureMaps[0] = featureMap0!;
        featureMaps[1] = x;

        // Extra layers: pairs of (1×1, 3×3 stride 2), each pair's output is the next feature map (8², 4², 2², 1²).
        for (int k = 0; k < _extraLayers.Length; k += 2)
        {
            x = _extraLayers[k + 1].Forward(_extraLayers[k].Forward(x));
            featureMaps[2 + k / 2] = x;
        }

        var encodings = new List<Tensor>(6);
        var logits = new List<Tensor>(6);
        for (int j = 0; j < 6; j++)
        {
            var (box, cls) = _boxPredictors[j].Forward(featureMaps[j]);
            encodings.Add(box);
            logits.Add(cls);
        }
        var boxEncodings = cat(encodings, 1);   // [B, 5118, 4] as (ty, tx, th, tw)
        var classLogits = cat(logits, 1);       // [B, 5118, 3]

        var boxes = DecodeBoxes(boxEncodings.reshape(-1, 4), _anchors.repeat(batch, 1)).reshape(batch, AnchorCount, 4);
        var scores = classLogits.select(2, 1).sigmoid();
        return (boxes.MoveToOuterDisposeScope(), scores.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// TF Object Detection's Faster R-CNN box coder with scale factors (10, 10, 5, 5): centre offsets in units of
    /// the anchor size, log-scale size changes. Rows are (ty, tx, th, tw) against anchors (ymin, xmin, ymax, xmax).
    /// </summary>
    private static Tensor DecodeBoxes(Tensor encodings, Tensor anchors)
    {
        var ha = anchors[.., 2] - anchors[.., 0];
        var wa = anchors[.., 3] - anchors[.., 1];
        Scalar one = Scalars.One, two = Scalars.Of(2), five = Scalars.Of(5), ten = Scalars.Of(10);   // rooted: see Scalars
        var cya = anchors[.., 0].add(ha.div(two), one);                  // ymin + ha/2
        var cxa = anchors[.., 1].add(wa.div(two), one);

        var halfH = encodings[.., 2].div(five).exp().mul(ha).div(two);   // exp(th/5)·ha/2
        var halfW = encodings[.., 3].div(five).exp().mul(wa).div(two);
        var cy = encodings[.., 0].div(ten).mul(ha).add(cya, one);        // ty/10·ha + cya
        var cx = encodings[.., 1].div(ten).mul(wa).add(cxa, one);
        return stack(new[] { cy - halfH, cx - halfW, cy.add(halfH, one), cx.add(halfW, one) }, 1);
    }

    private IEnumerable<Tensor> Tensors =>
        _conv0.Tensors.Concat(_layers.SelectMany(l => l.Tensors)).Concat(_extraLayers.SelectMany(l => l.Tensors))
            .Concat(_boxPredictors.SelectMany(p => p.Tensors)).Append(_anchors);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var tensor in Tensors) tensor.Dispose();
    }

    /// <summary>Convolution (TF SAME) + BatchNorm offset (BN already folded into the weights) + ReLU6.</summary>
    private sealed class ConvRelu6(Tensor weight, Tensor offset, int stride)
    {
        public static ConvRelu6 From(TfjsWeights weights, string weightName, string offsetName, int stride) =>
            new(weights.GetOihw(weightName), weights.Get(offsetName), stride);

        public Tensor Forward(Tensor x) =>
            TfOps.Conv2dSame(x, weight, offset, stride).clamp_(Scalars.Of(0), Scalars.Of(6));

        public IEnumerable<Tensor> Tensors => [weight, offset];
    }

    /// <summary>
    /// A MobileNetV1 layer: 3×3 depthwise conv → BatchNorm → ReLU6, then 1×1 pointwise conv → offset → ReLU6.
    /// The depthwise BatchNorm is folded into that conv's weights and a bias at load time.
    /// </summary>
    private sealed class DepthwiseSeparable(Tensor depthwiseWeight, Tensor depthwiseBias, int stride, ConvRelu6 pointwise)
    {
        public static DepthwiseSeparable From(TfjsWeights weights, string prefix, int stride)
        {
            string bn = $"{prefix}_depthwise/BatchNorm/";
            var pointwise = ConvRelu6.From(weights, $"{prefix}_pointwise/weights", $"{prefix}_pointwise/convolution_bn_offset", stride: 1);
            using var scope = NewDisposeScope();
            // BN(y) = (y − mean)·γ/√(var + ε) + β  =  y·k + (β − mean·k)  with k = γ/√(var + ε)
            var k = weights.Get(bn + "gamma").to_type(ScalarType.Float64) /
                    weights.Get(bn + "moving_variance").to_type(ScalarType.Float64).add(Scalars.Of(BatchNormEpsilon), Scalars.One).sqrt();
            var bias = weights.Get(bn + "beta").to_type(ScalarType.Float64) - weights.Get(bn + "moving_mean").to_type(ScalarType.Float64) * k;
            var filter = weights.GetDepthwiseOihw($"{prefix}_depthwise/depthwise_weights").to_type(ScalarType.Float64) * k.view(-1, 1, 1, 1);
            return new DepthwiseSeparable(
                filter.to_type(ScalarType.Float32).contiguous().MoveToOuterDisposeScope(),
                bias.to_type(ScalarType.Float32).MoveToOuterDisposeScope(),
                stride, pointwise);
        }

        public Tensor Forward(Tensor x)
        {
            var y = TfOps.Conv2dSame(x, depthwiseWeight, depthwiseBias, stride, groups: depthwiseWeight.shape[0]).clamp_(Scalars.Of(0), Scalars.Of(6));
            return pointwise.Forward(y);
        }

        public IEnumerable<Tensor> Tensors => pointwise.Tensors.Prepend(depthwiseBias).Prepend(depthwiseWeight);
    }

    /// <summary>
    /// One SSD head: two 1×1 convs with bias and no activation, box encodings (A·4 channels) and class logits
    /// (A·3 channels), flattened in TF's NHWC order (y, x, anchor) to [B, H·W·A, 4] and [B, H·W·A, 3].
    /// </summary>
    private sealed class BoxPredictor(Tensor boxWeight, Tensor boxBias, Tensor classWeight, Tensor classBias)
    {
        public static BoxPredictor From(TfjsWeights weights, string prefix) => new(
            weights.GetOihw($"{prefix}/BoxEncodingPredictor/weights"), weights.Get($"{prefix}/BoxEncodingPredictor/biases"),
            weights.GetOihw($"{prefix}/ClassPredictor/weights"), weights.Get($"{prefix}/ClassPredictor/biases"));

        public (Tensor Boxes, Tensor ClassLogits) Forward(Tensor featureMap)
        {
            long batch = featureMap.shape[0];
            var boxes = F.conv2d(featureMap, boxWeight, boxBias).permute(0, 2, 3, 1).reshape(batch, -1, 4);
            var classes = F.conv2d(featureMap, classWeight, classBias).permute(0, 2, 3, 1).reshape(batch, -1, 3);
            return (boxes, classes);
        }

        public IEnumerable<Tensor> Tensors => [boxWeight, boxBias, classWeight, classBias];
    }
}
