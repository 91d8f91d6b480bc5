using System.Text.Json.Serialization;
using Convolve.Models;
using Convolve.Weights;

namespace Convolve.Training;

/// <summary>
/// Fine-tuning the pretrained face network (<see cref="FaceRecognitionNet"/>) instead of training a
/// <see cref="Nn.ResidualNetwork"/> from scratch: the pretrained weights are the start, only the last
/// <see cref="TrainableBlocks"/> units learn, and the descriptors stay un-normalised 128-D vectors compared by
/// euclidean distance (so the triplet margin is on their squared distances: same-person pairs of the pretrained
/// network lie around 0.2–0.35, different people around 0.6–1.0). Input: 150×150 face chips
/// (<c>convolve faces chips</c>) normalised as <see cref="FaceRecognitionNet.Normalisation"/>.
/// </summary>
public sealed record FaceFineTuning
{
    /// <summary>The architecture name checkpoints record for a fine-tuned face network.</summary>
    public const string Architecture = nameof(FaceRecognitionNet);

    /// <summary>
    /// A learning rate that suits fine-tuning with Adam (the CLI's default with <c>--finetune face</c>): 1e-3, the
    /// rate for training from scratch, wrecks the pretrained weights within a few steps (measured in docs/training.md).
    /// </summary>
    public const double SuggestedLearningRate = 1e-5;

    /// <summary>Trainable units, counted from the output (1 = fc only, 16 = everything; see <see cref="FaceRecognitionNet.BlockCount"/>). Default 3: conv256_2, conv256_down_out and fc.</summary>
    public int TrainableBlocks { get; init; } = 3;

    /// <summary>The pretrained weights fine-tuned (<see cref="FaceRecognitionNet.WeightsId"/>); recorded when training starts.</summary>
    public string BaseWeights { get; init; } = "";

    /// <summary>
    /// The alignment the training chips were cut with ("FaceApiCrop" or "Landmarks", from the chip tree's chips.json),
    /// when known: an analyzer using the checkpoint must cut faces the same way.
    /// </summary>
    public string? ChipAlignment { get; init; }

    /// <summary>Where the pretrained weights are found (default <see cref="ModelStore.Default"/>); not saved.</summary>
    [JsonIgnore] public ModelStore? Models { get; init; }

    /// <summary>Throws when <see cref="TrainableBlocks"/> is out of range.</summary>
    public void Validate()
    {
        if (TrainableBlocks < 1 || TrainableBlocks > FaceRecognitionNet.BlockCount)
            throw new ArgumentOutOfRangeException(nameof(TrainableBlocks), TrainableBlocks, $"must be 1 to {FaceRecognitionNet.BlockCount}");
    }
}
