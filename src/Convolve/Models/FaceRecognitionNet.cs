using Convolve.Nn;
using Convolve.Weights;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Convolve.Models;

/// <summary>
/// face-api's FaceRecognitionNet: dlib's ResNet-34-style face descriptor network (29 conv layers, 32→256 channels),
/// ported from its TF.js weights (spec faceapi-models.md §2). Input: normalised faces [N,3,150,150]
/// (<c>(rgb − <see cref="MeanRgb"/>)/255</c>); output: 128-D descriptors [N,128], NOT L2-normalised — face-api compares
/// them by plain euclidean distance (same person below 0.6).
/// </summary>
/// <remarks>Holds no per-call state: one instance can serve several threads at once (in eval/inference mode).</remarks>
public sealed class FaceRecognitionNet : nn.Module<Tensor, Tensor>
{
    /// <summary>The weights manifest file name in the face-api model folder.</summary>
    public const string ManifestFileName = "face_recognition_model-weights_manifest.json";

    /// <summary>Side of the square input in pixels.</summary>
    public const int InputSize = 150;

    /// <summary>Length of a descriptor.</summary>
    public const int DescriptorLength = 128;

    /// <summary>Per-channel mean (R, G, B, on 0..255) subtracted before dividing by 255.</summary>
    public static ReadOnlySpan<float> MeanRgb => [122.782f, 117.001f, 104.298f];

    /// <summary>The input normalisation in words, as training checkpoints record it.</summary>
    public const string Normalisation = "(rgb - [122.782, 117.001, 104.298]) / 255 on 150x150 face chips";

    /// <summary>The weights file (one shard) in the face-api model folder; its hash identifies the weights.</summary>
    public const string WeightsFileName = "face_recognition_model.bin";

    /// <summary>
    /// Units that fine-tuning freezes or trains, input to output: the 15 convolutional stages (conv32_down; the three
    /// conv32 residual blocks; conv64_down and three blocks; conv128_down and two; conv256_down and two;
    /// conv256_down_out) and the final fully connected layer fc. <see cref="SetTrainableBlocks"/>(1) trains fc only,
    /// (16) the whole network.
    /// </summary>
    public const int BlockCount = 16;

    /// <summary>The names of the <see cref="BlockCount"/> units, input to output (their weights are named "&lt;unit&gt;.…").</summary>
    public static IReadOnlyList<string> BlockNames { get; } =
    [
        "conv32_down", "conv32_1", "conv32_2", "conv32_3", "conv64_down", "conv64_1", "conv64_2", "conv64_3",
        "conv128_down", "conv128_1", "conv128_2", "conv256_down", "conv256_1", "conv256_2", "conv256_down_out", "fc",
    ];

    private readonly ConvLayer conv32_down;
    private readonly ResidualBlock conv32_1, conv32_2, conv32_3;
    private readonly ResidualDownBlock conv64_down;
    private readonly ResidualBlock conv64_1, conv64_2, conv64_3;
    private readonly ResidualDownBlock conv128_down;
    private readonly ResidualBlock conv128_1, conv128_2;
    private readonly ResidualDownBlock conv256_down;
    private readonly ResidualBlock conv256_1, conv256_2;
    private readonly ResidualDownBlock conv256_down_out;
    private readonly Parameter fc;   // [256, 128] (in, out); no bias

    private FaceRecognitionNet(TfjsWeights w) : base(nameof(FaceRecognitionNet))
    {
        conv32_down = new ConvLayer(w, "conv32_down", stride: 2, relu: true, same: false);
        conv32_1 = new ResidualBlock(w, "conv32_1");
        conv32_2 = new ResidualBlock(w, "conv32_2");
        conv32_3 = new ResidualBlock(w, "conv32_3");
        conv64_down = new ResidualDownBlock(w, "conv64_down");
        conv64_1 = new ResidualBlock(w, "conv64_1");
        conv64_2 = new ResidualBlock(w, "conv64_2");
        conv64_3 = new ResidualBlock(w, "conv64_3");
        conv128_down = new ResidualDownBlock(w, "conv128_down");
        conv128_1 = new ResidualBlock(w, "conv128_1");
        conv128_2 = new ResidualBlock(w, "conv128_2");
        conv256_down = new ResidualDownBlock(w, "conv256_down");
        conv256_1 = new ResidualBlock(w, "conv256_1");
        conv256_2 = new ResidualBlock(w, "conv256_2");
        conv256_down_out = new ResidualDownBlock(w, "conv256_down_out");
        fc = new Parameter(w.Get("fc"), requires_grad: false);
        RegisterComponents();
        eval();
    }

    /// <summary>How many of the last units are trainable (0 after loading: the pretrained network is frozen).</summary>
    public int TrainableBlocks { get; private set; }

    /// <summary>
    /// Fine-tuning: makes the last <paramref name="count"/> of the <see cref="BlockCount"/> units trainable
    /// (<c>requires_grad</c>) and freezes the others. 0 freezes everything.
    /// </summary>
    public void SetTrainableBlocks(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, BlockCount);
        var stages = new nn.Module[]
        {
            conv32_down, conv32_1, conv32_2, conv32_3, conv64_down, conv64_1, conv64_2, conv64_3,
            conv128_down, conv128_1, conv128_2, conv256_down, conv256_1, conv256_2, conv256_down_out,
        };
        for (int i = 0; i < stages.Length; i++)
            foreach (var p in stages[i].parameters()) p.requires_grad = i >= BlockCount - count;
        fc.requires_grad = count >= 1;
        TrainableBlocks = count;
    }

    /// <summary>The first 12 hex digits of the SHA-256 of the weights file <paramref name="store"/> finds: identifies the pretrained weights.</summary>
    public static string WeightsId(ModelStore? store = null)
    {
        using var stream = File.OpenRead((store ?? ModelStore.Default).Find(WeightsFileName));
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream))[..12];
    }

    /// <summary>Builds the network from loaded face-api weights.</summary>
    public static FaceRecognitionNet FromWeights(TfjsWeights weights) => new(weights);

    /// <summary>Loads the network from the model folder <paramref name="store"/> finds (default: <see cref="ModelStore.Default"/>).</summary>
    public static FaceRecognitionNet Load(ModelStore? store = null) =>
        FromWeights(TfjsWeights.Load((store ?? ModelStore.Default).Find(ManifestFileName)));

    /// <summary>Descriptors [N,128] for normalised faces [N,3,150,150]. Call under <c>torch.inference_mode()</c> for inference.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = conv32_down.forward(x);              // 7×7/2 VALID → 32×72×72
        y = TfOps.MaxPool2dValid(y, 3, 2);           // → 32×35×35
        y = conv32_1.forward(y);
        y = conv32_2.forward(y);
        y = conv32_3.forward(y);
        y = conv64_down.forward(y);                  // → 64×17×17
        y = conv64_1.forward(y);
        y = conv64_2.forward(y);
        y = conv64_3.forward(y);
        y = conv128_down.forward(y);                 // → 128×8×8
        y = conv128_1.forward(y);
        y = conv128_2.forward(y);
        y = conv256_down.forward(y);                 // → 256×4×4
        y = conv256_1.forward(y);
        y = conv256_2.forward(y);
        y = conv256_down_out.forward(y);             // → 256×2×2
        var pooled = y.mean(new long[] { 2, 3 });    // global average → [N,256]
        return pooled.matmul(fc).MoveToOuterDisposeScope();
    }

    /// <summary>conv (+bias) → per-channel affine <c>y·scale + shift</c> → optional ReLU (face-api <c>convLayer</c>).</summary>
    private sealed class ConvLayer : nn.Module<Tensor, Tensor>
    {
        private readonly Parameter weight, bias, scale, shift;
        private readonly long _stride;
        private readonly bool _relu, _same;

        public ConvLayer(TfjsWeights w, string prefix, long stride, bool relu, bool same) : base(prefix.Replace('/', '_'))
        {
            weight = new Parameter(w.GetOihw($"{prefix}/conv/filters"), requires_grad: false);
            bias = new Parameter(w.Get($"{prefix}/conv/bias"), requires_grad: false);
            long c = bias.shape[0];
            scale = new Parameter(w.Get($"{prefix}/scale/weights").view(1, c, 1, 1), requires_grad: false);
            shift = new Parameter(w.Get($"{prefix}/scale/biases").view(1, c, 1, 1), requires_grad: false);
            (_stride, _relu, _same) = (stride, relu, same);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var y = _same ? TfOps.Conv2dSame(x, weight, bias, _stride) : TfOps.Conv2dValid(x, weight, bias, _stride);
            y = y.mul_(scale).add_(shift, Scalars.One);
            return _relu ? y.relu_() : y;
        }
    }

    /// <summary>Residual block: <c>ReLU(x + convNoRelu(conv(x)))</c>, both 3×3 stride 1 SAME.</summary>
    private sealed class ResidualBlock : nn.Module<Tensor, Tensor>
    {
        private readonly ConvLayer conv1, conv2;

        public ResidualBlock(TfjsWeights w, string prefix) : base(prefix)
        {
            conv1 = new ConvLayer(w, $"{prefix}/conv1", stride: 1, relu: true, same: true);
            conv2 = new ConvLayer(w, $"{prefix}/conv2", stride: 1, relu: false, same: true);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => conv2.forward(conv1.forward(x)).add_(x, Scalars.One).relu_();
    }

    /// <summary>
    /// Downsampling residual block. Conv branch: 3×3 stride 2 VALID + ReLU, then 3×3 SAME. Shortcut: 2×2 average pool.
    /// face-api quirks (§2.2, pitfall 10): when the conv branch is one pixel smaller it gets a zero row at the bottom and
    /// a zero column at the right; when channels differ the shortcut gets zero channels appended after its own.
    /// </summary>
    private sealed class ResidualDownBlock : nn.Module<Tensor, Tensor>
    {
        private readonly ConvLayer conv1, conv2;

        public ResidualDownBlock(TfjsWeights w, string prefix) : base(prefix)
        {
            conv1 = new ConvLayer(w, $"{prefix}/conv1", stride: 2, relu: true, same: false);
            conv2 = new ConvLayer(w, $"{prefix}/conv2", stride: 1, relu: false, same: true);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var y = conv2.forward(conv1.forward(x));
            var shortcut = TfOps.AvgPool2dValid(x, 2, 2);
            if (shortcut.shape[2] != y.shape[2] || shortcut.shape[3] != y.shape[3])
                y = F.pad(y, new long[] { 0, 1, 0, 1 });
            if (shortcut.shape[1] != y.shape[1])
                shortcut = F.pad(shortcut, new long[] { 0, 0, 0, 0, 0, y.shape[1] - shortcut.shape[1] });
            return y.add_(shortcut, Scalars.One).relu_();
        }
    }
}
