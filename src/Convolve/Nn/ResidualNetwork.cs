using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Convolve.Nn;

/// <summary>
/// A residual network (He et al. 2016, basic blocks) that embeds a 1D signal, 2D image or 3D volume into an
/// L2-normalised vector f(x). One definition for all three: only the convolution and batch-norm kinds change.
/// stem conv3 (stride 1 or 2) → BN → ReLU → stages of residual blocks (stride 2 and doubled width from the second stage) →
/// global average pool → linear → L2 normalise.
/// </summary>
public sealed class ResidualNetwork : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> stem;
    private readonly Sequential blocks;
    private readonly Linear embedding;

    /// <summary>Builds the network described by <paramref name="options"/> with PyTorch's default initialisation.</summary>
    public ResidualNetwork(ResidualNetworkOptions options) : base(nameof(ResidualNetwork))
    {
        options.Validate();
        Options = options;
        int d = options.Dimensions;
        stem = nn.Sequential(
            ("conv", ConvNd.Conv(d, options.InputChannels, options.Width, kernel: 3, stride: options.StemStride)),
            ("bn", ConvNd.BatchNorm(d, options.Width)),
            ("relu", nn.ReLU()));

        var list = new List<(string, nn.Module<Tensor, Tensor>)>();
        long channels = options.Width;
        for (int stage = 0; stage < options.Stages; stage++)
        {
            long outChannels = (long)options.Width << stage;
            for (int b = 0; b < options.BlocksPerStage; b++)
            {
                long stride = stage > 0 && b == 0 ? 2 : 1;
                list.Add(($"s{stage}b{b}", new ResidualBlock(d, channels, outChannels, stride)));
                channels = outChannels;
            }
        }
        blocks = nn.Sequential(list);
        embedding = nn.Linear(channels, options.EmbeddingSize);
        RegisterComponents();
    }

    /// <summary>The shape this network was built with.</summary>
    public ResidualNetworkOptions Options { get; }

    /// <summary>Embeds a batch [N, C, spatial...] into L2-normalised rows [N, EmbeddingSize].</summary>
    public override Tensor forward(Tensor input)
    {
        int spatial = Options.Dimensions;
        if (input.dim() != spatial + 2)
            throw new ArgumentException($"A {spatial}D residual network takes [N, C, {spatial} spatial dims], got [{string.Join(",", input.shape)}].");
        using var scope = NewDisposeScope();
        var features = blocks.forward(stem.forward(input));
        // Global average pool over every spatial axis.
        var pooled = features.flatten(2).mean(new long[] { 2 });
        var e = embedding.forward(pooled);
        return nn.functional.normalize(e, p: 2, dim: 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Re-initialises every parameter from <paramref name="seed"/> alone (He-uniform weights, zero biases, unit
    /// batch-norm scales), drawing numbers in C#: the result does not depend on torch's global generator, so it is
    /// reproducible even while other threads use torch.
    /// </summary>
    public void InitializeFromSeed(int seed)
    {
        var rng = new Random(seed);
        using var noGrad = no_grad();
        foreach (var (name, p) in named_parameters())
        {
            if (name.EndsWith("bias", StringComparison.Ordinal)) { p.zero_(); continue; }
            if (p.dim() == 1) { p.fill_(Scalars.Of(1f)); continue; } // batch-norm scale
            long fanIn = p.numel() / p.shape[0];
            double bound = Math.Sqrt(6.0 / fanIn); // He uniform for ReLU networks
            var values = new float[p.numel()];
            for (int i = 0; i < values.Length; i++) values[i] = (float)((rng.NextDouble() * 2 - 1) * bound);
            using var t = tensor(values, p.shape);
            p.copy_(t);
        }
    }
}

/// <summary>A basic residual block: y = ReLU(BN(conv3(ReLU(BN(conv3(x))))) + shortcut(x)).</summary>
internal sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> conv1, bn1, conv2, bn2;
    private readonly nn.Module<Tensor, Tensor>? shortcut;

    public ResidualBlock(int dimensions, long inChannels, long outChannels, long stride) : base(nameof(ResidualBlock))
    {
        conv1 = ConvNd.Conv(dimensions, inChannels, outChannels, kernel: 3, stride: stride);
        bn1 = ConvNd.BatchNorm(dimensions, outChannels);
        conv2 = ConvNd.Conv(dimensions, outChannels, outChannels, kernel: 3, stride: 1);
        bn2 = ConvNd.BatchNorm(dimensions, outChannels);
        // A 1×1 projection when the shape changes (He et al., option B); identity otherwise.
        if (stride != 1 || inChannels != outChannels)
            shortcut = nn.Sequential(
                ("conv", ConvNd.Conv(dimensions, inChannels, outChannels, kernel: 1, stride: stride)),
                ("bn", ConvNd.BatchNorm(dimensions, outChannels)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = nn.functional.relu(bn1.forward(conv1.forward(x)));
        y = bn2.forward(conv2.forward(y));
        var skip = shortcut is null ? x : shortcut.forward(x);
        return nn.functional.relu(y.add(skip, Scalars.One)).MoveToOuterDisposeScope();
    }
}

/// <summary>Makes the convolution and batch-norm layer of the right dimension.</summary>
internal static class ConvNd
{
    public static nn.Module<Tensor, Tensor> Conv(int dimensions, long inChannels, long outChannels, long kernel, long stride)
    {
        long padding = kernel / 2; // "same" size for stride 1
        return dimensions switch
        {
            1 => nn.Conv1d(inChannels, outChannels, kernel, stride: stride, padding: padding, bias: false),
            2 => nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: padding, bias: false),
            3 => nn.Conv3d(inChannels, outChannels, kernel, stride: stride, padding: padding, bias: false),
            _ => throw new ArgumentOutOfRangeException(nameof(dimensions)),
        };
    }

    public static nn.Module<Tensor, Tensor> BatchNorm(int dimensions, long channels) => dimensions is >= 1 and <= 3
        ? new BatchNorm(channels)
        : throw new ArgumentOutOfRangeException(nameof(dimensions));
}
