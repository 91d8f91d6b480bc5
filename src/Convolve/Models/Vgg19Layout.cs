namespace Convolve.Models;

/// <summary>Which VGG19 weight layout (and matching input convention) a feature network uses.</summary>
public enum Vgg19Layout
{
    /// <summary>torchvision's <c>vgg19</c>: tensors <c>features.N.weight/bias</c>, input RGB normalised by the ImageNet mean/std, zero padding.</summary>
    Torchvision,

    /// <summary>The 'normalised VGG19' encoder of AdaIN/WCT: a 1×1 <c>preprocess</c> conv (RGB 0..1 → BGR·255 − mean), reflection padding, tensors <c>convX_Y.weight/bias</c>.</summary>
    Normalised,
}

/// <summary>Pooling between VGG blocks.</summary>
public enum Vgg19Pooling
{
    /// <summary>2×2 max-pool, stride 2 (the network as trained).</summary>
    Max,

    /// <summary>2×2 average pool, stride 2 (Gatys et al. found it gives smoother results).</summary>
    Average,
}

/// <summary>The VGG19 layer sequence with the names used by both layouts (conv1_1 … relu5_4, pool1 … pool5).</summary>
public static class Vgg19Architecture
{
    /// <summary>Convolutions per block (VGG19 "E" configuration).</summary>
    public static readonly int[] ConvsPerBlock = { 2, 2, 4, 4, 4 };

    /// <summary>Output channels per block.</summary>
    public static readonly int[] ChannelsPerBlock = { 64, 128, 256, 512, 512 };

    /// <summary>A layer in forward order.</summary>
    /// <param name="Name">conv1_1, relu1_1, …, pool5.</param>
    /// <param name="Kind">What the layer computes.</param>
    /// <param name="Block">1-based block number.</param>
    /// <param name="InChannels">Input channels (convolutions only; otherwise the channel count).</param>
    /// <param name="OutChannels">Output channels.</param>
    /// <param name="TorchvisionIndex">Index in torchvision's <c>features</c> Sequential.</param>
    public sealed record Layer(string Name, LayerKind Kind, int Block, int InChannels, int OutChannels, int TorchvisionIndex);

    /// <summary>Layer kinds.</summary>
    public enum LayerKind
    {
        /// <summary>3×3 convolution, padding 1.</summary>
        Conv,
        /// <summary>ReLU after a convolution.</summary>
        Relu,
        /// <summary>2×2 pooling, stride 2.</summary>
        Pool,
    }

    /// <summary>All 37 layers of VGG19's feature part in forward order.</summary>
    public static IReadOnlyList<Layer> Layers { get; } = Build();

    /// <summary>The index in <see cref="Layers"/> of <paramref name="name"/>; throws <see cref="ArgumentException"/> listing valid names.</summary>
    public static int IndexOf(string name)
    {
        for (int i = 0; i < Layers.Count; i++) if (Layers[i].Name == name) return i;
        throw new ArgumentException($"Unknown VGG19 layer '{name}'. Valid layers: conv1_1 … conv5_4, relu1_1 … relu5_4, pool1 … pool5.");
    }

    private static List<Layer> Build()
    {
        var layers = new List<Layer>();
        int index = 0, inChannels = 3;
        for (int b = 0; b < ConvsPerBlock.Length; b++)
        {
            int c = ChannelsPerBlock[b];
            for (int k = 1; k <= ConvsPerBlock[b]; k++)
            {
                layers.Add(new Layer($"conv{b + 1}_{k}", LayerKind.Conv, b + 1, inChannels, c, index++));
                layers.Add(new Layer($"relu{b + 1}_{k}", LayerKind.Relu, b + 1, c, c, index++));
                inChannels = c;
            }
            layers.Add(new Layer($"pool{b + 1}", LayerKind.Pool, b + 1, c, c, index++));
        }
        return layers;
    }
}
