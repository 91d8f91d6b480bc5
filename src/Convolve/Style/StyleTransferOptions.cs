using Convolve.Imaging;
using Convolve.Models;

namespace Convolve.Style;

/// <summary>How the generated image starts.</summary>
public enum StyleInit
{
    /// <summary>From the content image.</summary>
    Content,
    /// <summary>From uniform noise in 0..1 (seeded).</summary>
    Noise,
    /// <summary>From a given image (<see cref="StyleTransferOptions.InitImage"/>).</summary>
    Image,
}

/// <summary>The optimizer that updates the pixels.</summary>
public enum StyleOptimizer
{
    /// <summary>L-BFGS (one function evaluation per iteration; history 100; learning rate 1 as in PyTorch).</summary>
    Lbfgs,
    /// <summary>Adam on pixels in 0..1.</summary>
    Adam,
}

/// <summary>A style layer and its weight λ⁽ˡ⁾.</summary>
/// <param name="Layer">VGG19 layer name, e.g. relu2_1.</param>
/// <param name="Weight">λ⁽ˡ⁾.</param>
public sealed record StyleLayer(string Layer, double Weight);

/// <summary>Settings of one style-transfer run. Defaults follow Gatys et al. with the cost normalisations.</summary>
public sealed record StyleTransferOptions
{
    /// <summary>Long side of the output in pixels (texture synthesis: the output is square).</summary>
    public int Size { get; init; } = 512;

    /// <summary>Optimizer iterations (at each scale).</summary>
    public int Iterations { get; init; } = 300;

    /// <summary>Iterations per scale, coarse to fine; overrides <see cref="Iterations"/> when set (length must equal <see cref="Scales"/>).</summary>
    public IReadOnlyList<int>? IterationsPerScale { get; init; }

    /// <summary>α, the content weight.</summary>
    public double ContentWeight { get; init; } = 1;

    /// <summary>β, the style weight.</summary>
    public double StyleWeight { get; init; } = 100;

    /// <summary>Total-variation weight.</summary>
    public double TvWeight { get; init; } = 1;

    /// <summary>The content layer (null: the network's default, relu4_2 for VGG19, relu3_1 for short encoders).</summary>
    public string? ContentLayer { get; init; }

    /// <summary>Style layers with λ weights (null: relu1_1 … relu5_1, or as many of them as the weights file has, λ equal and summing to 1).</summary>
    public IReadOnlyList<StyleLayer>? StyleLayers { get; init; }

    /// <summary>Blend weights of the style images (null: equal). Normalised to sum to 1.</summary>
    public IReadOnlyList<double>? StyleBlend { get; init; }

    /// <summary>Style images are resized to long side <see cref="Size"/>·StyleScale before their Grams are taken.</summary>
    public double StyleScale { get; init; } = 1;

    /// <summary>Colour preservation.</summary>
    public ColorPreservation PreserveColors { get; init; } = ColorPreservation.None;

    /// <summary>How the generated image starts.</summary>
    public StyleInit Init { get; init; } = StyleInit.Content;

    /// <summary>The start image when <see cref="Init"/> is <see cref="StyleInit.Image"/>.</summary>
    public RgbImage? InitImage { get; init; }

    /// <summary>The optimizer.</summary>
    public StyleOptimizer Optimizer { get; init; } = StyleOptimizer.Lbfgs;

    /// <summary>Learning rate (null: 1 for L-BFGS, 0.02 for Adam on 0..1 pixels).</summary>
    public double? LearningRate { get; init; }

    /// <summary>Number of scales for coarse-to-fine optimisation (1: single scale). Scale k has long side Size/2^(Scales−1−k).</summary>
    public int Scales { get; init; } = 1;

    /// <summary>Seed for the noise start (runs with the same seed and settings give the same bytes).</summary>
    public int Seed { get; init; }

    /// <summary>Pooling in the feature network.</summary>
    public Vgg19Pooling Pooling { get; init; } = Vgg19Pooling.Max;

    /// <summary>Spatial-control label image: region k is where the gray level is nearest to k·255/(K−1), K = number of regions.</summary>
    public RgbImage? Mask { get; init; }

    /// <summary>For each mask region (in order of gray level), the 0-based index of its style image (null: region k uses style k).</summary>
    public IReadOnlyList<int>? MaskStyles { get; init; }

    /// <summary>Refuse to run when the memory estimate exceeds this many bytes (null: no limit).</summary>
    public long? MaxMemoryBytes { get; init; }

    /// <summary>Call <see cref="OnSave"/> every this many iterations (0: never).</summary>
    public int SaveEvery { get; init; }

    /// <summary>Receives intermediate images (global iteration number, image) when <see cref="SaveEvery"/> is set.</summary>
    public Action<int, RgbImage>? OnSave { get; init; }
}

/// <summary>Progress of a run, reported once per iteration.</summary>
/// <param name="Iteration">Global iteration (1-based, across scales).</param>
/// <param name="TotalIterations">Iterations of the whole run.</param>
/// <param name="Scale">0-based scale index.</param>
/// <param name="ContentLoss">J_content (unweighted).</param>
/// <param name="StyleLoss">Σ λ⁽ˡ⁾·J_style⁽ˡ⁾ (unweighted by β).</param>
/// <param name="TvLoss">TV cost (unweighted).</param>
/// <param name="TotalLoss">α·J_content + β·J_style + τ·TV.</param>
public sealed record StyleProgress(int Iteration, int TotalIterations, int Scale, double ContentLoss, double StyleLoss, double TvLoss, double TotalLoss);

/// <summary>The outcome of a run.</summary>
/// <param name="Image">The generated image.</param>
/// <param name="ContentLossStart">J_content of the start image at the final scale's first iteration (single scale) or the first scale (multi-scale).</param>
/// <param name="ContentLossEnd">J_content of the final image.</param>
/// <param name="StyleLossStart">Style cost at the start.</param>
/// <param name="StyleLossEnd">Style cost at the end.</param>
/// <param name="Iterations">Iterations run (fewer than asked when cancelled).</param>
/// <param name="Seconds">Wall time of the optimisation.</param>
/// <param name="Cancelled">True when stopped early by cancellation.</param>
public sealed record StyleResult(RgbImage Image, double ContentLossStart, double ContentLossEnd, double StyleLossStart,
    double StyleLossEnd, int Iterations, double Seconds, bool Cancelled);
