namespace Convolve.Nn;

/// <summary>
/// The shape of a <see cref="ResidualNetwork"/>: how many spatial dimensions its convolutions have (1 signals,
/// 2 images, 3 volumes), how wide and deep it is and how long its L2-normalised embedding is.
/// </summary>
public sealed record ResidualNetworkOptions
{
    /// <summary>Spatial dimensions of the input: 1 (Conv1d, [N,C,L]), 2 (Conv2d, [N,C,H,W]) or 3 (Conv3d, [N,C,D,H,W]).</summary>
    public int Dimensions { get; init; } = 2;

    /// <summary>Channels of the input (3 for RGB images, 1 for a mono signal or a scalar volume).</summary>
    public int InputChannels { get; init; } = 3;

    /// <summary>Channels of the first stage; each later stage doubles them.</summary>
    public int Width { get; init; } = 16;

    /// <summary>Stride of the stem convolution: 2 halves the resolution at once, making large inputs (and 3D ones) much cheaper.</summary>
    public int StemStride { get; init; } = 1;

    /// <summary>Number of stages; every stage after the first halves the resolution (stride 2).</summary>
    public int Stages { get; init; } = 3;

    /// <summary>Residual blocks per stage (depth = Stages × BlocksPerStage blocks of two convolutions).</summary>
    public int BlocksPerStage { get; init; } = 1;

    /// <summary>Length of the L2-normalised embedding f(x).</summary>
    public int EmbeddingSize { get; init; } = 128;

    /// <summary>Throws when a field is out of range, naming it.</summary>
    public void Validate()
    {
        if (Dimensions is < 1 or > 3) throw new ArgumentOutOfRangeException(nameof(Dimensions), Dimensions, "must be 1, 2 or 3");
        if (InputChannels < 1) throw new ArgumentOutOfRangeException(nameof(InputChannels), InputChannels, "must be at least 1");
        if (Width < 1) throw new ArgumentOutOfRangeException(nameof(Width), Width, "must be at least 1");
        if (StemStride is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(StemStride), StemStride, "must be 1 to 4");
        if (Stages < 1) throw new ArgumentOutOfRangeException(nameof(Stages), Stages, "must be at least 1");
        if (BlocksPerStage < 1) throw new ArgumentOutOfRangeException(nameof(BlocksPerStage), BlocksPerStage, "must be at least 1");
        if (EmbeddingSize < 1) throw new ArgumentOutOfRangeException(nameof(EmbeddingSize), EmbeddingSize, "must be at least 1");
    }
}
