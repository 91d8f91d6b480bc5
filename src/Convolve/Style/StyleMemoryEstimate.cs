using Convolve.Models;

namespace Convolve.Style;

/// <summary>
/// Estimates the peak memory of a style-transfer run before it starts: the activations autograd keeps for every
/// layer up to the deepest one used (twice: forward outputs plus their gradients during the backward pass, with
/// the reflection-padded copies of the normalised layout, times 2.5, see below), the network weights, the optimizer's state and a fixed
/// runtime overhead (libtorch + .NET, measured at ~300 MB on Linux x64).
/// </summary>
public static class StyleMemoryEstimate
{
    /// <summary>Fixed cost of the runtime (process with libtorch loaded, before any tensor).</summary>
    public const long RuntimeOverheadBytes = 300L * 1024 * 1024;

    /// <summary>L-BFGS history length used by <see cref="StyleTransfer"/>.</summary>
    public const int LbfgsHistory = 20;

    /// <summary>Estimated peak bytes for a <paramref name="width"/>×<paramref name="height"/> output through layers up to <paramref name="lastLayerIndex"/>.</summary>
    public static long Estimate(int width, int height, int lastLayerIndex, Vgg19Layout layout, StyleOptimizer optimizer, int styleImages = 1)
    {
        long activations = 0, weights = 0;
        long h = height, w = width;
        activations += 3 * h * w * 2; // input and its preprocessed copy
        for (int i = 0; i <= lastLayerIndex; i++)
        {
            var layer = Vgg19Architecture.Layers[i];
            if (layer.Kind == Vgg19Architecture.LayerKind.Pool)
            {
                h = (h + 1) / 2;
                w = (w + 1) / 2;
            }
            if (layer.Kind == Vgg19Architecture.LayerKind.Conv)
            {
                weights += (long)layer.OutChannels * layer.InChannels * 9 + layer.OutChannels;
                if (layout == Vgg19Layout.Normalised) activations += layer.InChannels * (h + 2) * (w + 2);
            }
            activations += layer.OutChannels * h * w;
        }
        long pixels = 3L * width * height;
        long optimizerState = optimizer == StyleOptimizer.Lbfgs ? pixels * (2 * LbfgsHistory + 4) : pixels * 4;
        // Style images are encoded once per scale without gradients: one forward's worth of activations each, freed after.
        // Factor 2.5 rather than 2: the allocator keeps freed blocks of the no-grad passes (style/content encoding,
        // final costs). Calibrated on one measurement: 512×384 to relu3_1, normalised layout, peak RSS 1.54 GB.
        long floats = 5 * activations / 2 + weights + optimizerState;
        return RuntimeOverheadBytes + 4 * floats;
    }

    /// <summary>The largest long side (a multiple of 16, at least 16) whose estimate stays within <paramref name="maxBytes"/> for the aspect ratio of <paramref name="width"/>×<paramref name="height"/>.</summary>
    public static int LargestSizeWithin(long maxBytes, int width, int height, int lastLayerIndex, Vgg19Layout layout, StyleOptimizer optimizer)
    {
        int best = 16;
        for (int side = 16; side <= 16384; side += 16)
        {
            var (w, h) = StyleImages.FitLongSide(width, height, side);
            if (Estimate(w, h, lastLayerIndex, layout, optimizer) > maxBytes) break;
            best = side;
        }
        return best;
    }

    /// <summary>Formats bytes as MB/GB for messages.</summary>
    public static string Format(long bytes) =>
        bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):0.00} GB" : $"{bytes / (double)(1L << 20):0} MB";
}
