using Convolve.Nn;
using Convolve.Weights;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Convolve.Models;

/// <summary>
/// face-api's 68-point landmark networks (spec faceapi-models.md §5), full (<c>face_landmark_68_model</c>: four dense
/// blocks of four separable convs) and tiny (<c>face_landmark_68_tiny_model</c>: three blocks of three). Input:
/// normalised face crops [N,3,112,112] (<c>(rgb − <see cref="MeanRgb"/>)/255</c>, centred-padded to a square first);
/// output [N,136]: interleaved (x0, y0, x1, y1, …) as fractions of the padded 112 square, no activation.
/// </summary>
/// <remarks>Holds no per-call state: one instance can serve several threads at once (in eval/inference mode).</remarks>
public sealed class FaceLandmark68Net : nn.Module<Tensor, Tensor>
{
    /// <summary>The full model's manifest file name.</summary>
    public const string ManifestFileName = "face_landmark_68_model-weights_manifest.json";

    /// <summary>The tiny model's manifest file name.</summary>
    public const string TinyManifestFileName = "face_landmark_68_tiny_model-weights_manifest.json";

    /// <summary>Side of the square input in pixels.</summary>
    public const int InputSize = 112;

    /// <summary>Number of landmarks.</summary>
    public const int PointCount = 68;

    /// <summary>Per-channel mean (R, G, B, on 0..255) subtracted before dividing by 255.</summary>
    public static ReadOnlySpan<float> MeanRgb => [122.782f, 117.001f, 104.298f];

    private readonly ModuleList<DenseBlock> blocks;
    private readonly Parameter fcWeight, fcBias;   // [C,136] (in, out), [136]
    private readonly long _poolSize;

    private FaceLandmark68Net(TfjsWeights w, bool tiny) : base(tiny ? "FaceLandmark68TinyNet" : nameof(FaceLandmark68Net))
    {
        IsTiny = tiny;
        int convsPerBlock = tiny ? 3 : 4;
        int blockCount = tiny ? 3 : 4;
        blocks = new ModuleList<DenseBlock>();
        for (int b = 0; b < blockCount; b++) blocks.Add(new DenseBlock(w, $"dense{b}", convsPerBlock, firstIsRegularConv: b == 0));
        fcWeight = new Parameter(w.Get("fc/weights"), requires_grad: false);
        fcBias = new Parameter(w.Get("fc/bias"), requires_grad: false);
        _poolSize = tiny ? 14 : 7;   // the last feature map: 128×14² (tiny) or 256×7² (full)
        RegisterComponents();
        eval();
    }

    /// <summary>True for the tiny model.</summary>
    public bool IsTiny { get; }

    /// <summary>Builds the network from loaded face-api weights (<paramref name="tiny"/> selects the architecture; it must match the weights).</summary>
    public static FaceLandmark68Net FromWeights(TfjsWeights weights, bool tiny) => new(weights, tiny);

    /// <summary>Loads the full (or <paramref name="tiny"/>) model from the folder <paramref name="store"/> finds.</summary>
    public static FaceLandmark68Net Load(bool tiny = false, ModelStore? store = null) =>
        FromWeights(TfjsWeights.Load((store ?? ModelStore.Default).Find(tiny ? TinyManifestFileName : ManifestFileName)), tiny);

    /// <summary>Raw landmark output [N,136] for normalised crops [N,3,112,112]. Call under <c>torch.inference_mode()</c> for inference.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = x;
        foreach (var block in blocks) y = block.forward(y);          // 112 → 56 → 28 → 14 (→ 7)
        var pooled = TfOps.AvgPool2dValid(y, _poolSize, 2).flatten(1); // one cell per channel
        return pooled.matmul(fcWeight).add_(fcBias, Scalars.One).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Dense block (face-api <c>denseBlock4</c>/<c>denseBlock3</c>): out1 = ReLU(conv0 stride 2), then each next
    /// separable conv reads ReLU of the sum of all outputs so far; returns ReLU of the sum of all outputs.
    /// conv0 is a regular 3×3 conv in the first block and separable elsewhere; every conv is SAME with a bias.
    /// </summary>
    private sealed class DenseBlock : nn.Module<Tensor, Tensor>
    {
        private readonly ModuleList<SeparableConv> convs;
        private readonly Parameter? firstWeight, firstBias;

        public DenseBlock(TfjsWeights w, string prefix, int convCount, bool firstIsRegularConv) : base(prefix)
        {
            convs = new ModuleList<SeparableConv>();
            if (firstIsRegularConv)
            {
                firstWeight = new Parameter(w.GetOihw($"{prefix}/conv0/filters"), requires_grad: false);
                firstBias = new Parameter(w.Get($"{prefix}/conv0/bias"), requires_grad: false);
            }
            for (int k = firstIsRegularConv ? 1 : 0; k < convCount; k++) convs.Add(new SeparableConv(w, $"{prefix}/conv{k}"));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            int rest = 0;
            var outputs = new List<Tensor>
            {
                (firstWeight is not null ? TfOps.Conv2dSame(x, firstWeight, firstBias, stride: 2) : convs[rest++].Forward(x, stride: 2)).relu_(),
            };
            while (rest < convs.Count)
            {
                var input = outputs.Count == 1 ? outputs[0] : SumRightToLeft(outputs).relu_();   // out1 is already ReLU'd
                outputs.Add(convs[rest++].Forward(input, stride: 1));
            }
            return SumRightToLeft(outputs).relu_();
        }

        /// <summary>out1 + (out2 + (out3 + …)): face-api's summation order, kept for bit-level parity.</summary>
        private static Tensor SumRightToLeft(List<Tensor> outputs)
        {
            var sum = outputs[^2].add(outputs[^1], Scalars.One);
            for (int i = outputs.Count - 3; i >= 0; i--) sum = outputs[i].add(sum, Scalars.One);
            return sum;
        }
    }

    /// <summary>Separable 3×3 conv (depthwise → pointwise, SAME) + bias, no activation.</summary>
    private sealed class SeparableConv : nn.Module<Tensor, Tensor>
    {
        private readonly Parameter depthwise, pointwise, bias;

        public SeparableConv(TfjsWeights w, string prefix) : base(prefix.Replace('/', '_'))
        {
            depthwise = new Parameter(w.GetDepthwiseOihw($"{prefix}/depthwise_filter"), requires_grad: false);
            pointwise = new Parameter(w.GetOihw($"{prefix}/pointwise_filter"), requires_grad: false);
            bias = new Parameter(w.Get($"{prefix}/bias"), requires_grad: false);
            RegisterComponents();
        }

        public Tensor Forward(Tensor x, long stride) => TfOps.SeparableConv2dSame(x, depthwise, pointwise, bias, stride);

        public override Tensor forward(Tensor x) => Forward(x, 1);
    }
}
