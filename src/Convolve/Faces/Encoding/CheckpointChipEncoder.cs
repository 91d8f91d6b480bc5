using Convolve.Nn;
using Convolve.Data;
using Convolve.Models;
using Convolve.Training;
using static TorchSharp.torch;

namespace Convolve.Faces.Encoding;

/// <summary>
/// Encodes face chips with an image network trained from scratch by <c>convolve train</c> (a
/// <see cref="Nn.ResidualNetwork"/> checkpoint): each 150×150 chip is brought to the network's input the way its training
/// images were (<see cref="FolderDataset.ReadImage"/>: area resize to its side, RGB scaled to [−1, 1]); the encodings
/// are its L2-normalised outputs. Thread-safe (the network stays in evaluation mode).
/// </summary>
public sealed class CheckpointChipEncoder : IChipEncoder
{
    private readonly SimilarityModel _model;
    private readonly int _side;

    /// <summary>Uses <paramref name="model"/> (owned: disposed with this), an image model with a square input.</summary>
    public CheckpointChipEncoder(SimilarityModel model)
    {
        if (model.Modality != Modality.Image || model.InputShape.Length != 3 || model.InputShape[0] != 3 || model.InputShape[1] != model.InputShape[2])
            throw new ArgumentException($"Needs an image model with square RGB input, got {model.Modality} [{string.Join(",", model.InputShape)}].", nameof(model));
        _model = model;
        _side = (int)model.InputShape[1];
        _model.Encoder.eval();
    }

    /// <inheritdoc />
    public float[][] EncodeChips(Tensor chips, bool averageWithMirror = false)
    {
        using var mode = inference_mode();
        using var scope = NewDisposeScope();
        // As FolderDataset.ReadImage: the chip is already square, so only the area resize and the [−1, 1] scaling apply.
        var input = nn.functional.interpolate(chips.div(Scalars.Of(255f)), new long[] { _side, _side }, mode: InterpolationMode.Area).mul_(Scalars.Of(2)).sub_(Scalars.One);
        var encodings = _model.Encoder.forward(input);
        if (averageWithMirror) encodings = encodings.add(_model.Encoder.forward(input.flip(3)), Scalars.One).div_(Scalars.Of(2f));
        int d = (int)encodings.shape[1];
        return encodings.contiguous().data<float>().ToArray().Chunk(d).ToArray();
    }

    /// <inheritdoc />
    public void Dispose() => _model.Dispose();
}
