using System.Security.Cryptography;
using Convolve.Data;
using Convolve.Models;
using Convolve.Training;
using Convolve.Weights;

namespace Convolve.Faces.Encoding;

/// <summary>
/// A checkpoint of <c>convolve train</c> used as the face encoder (<c>--model DIR</c>): a fine-tuned face network
/// (<c>--finetune face</c>) or an image network trained from scratch. Knows the encoder, the model-id prefix that keeps
/// its encodings apart from every other model's, and the distance threshold its validation chose.
/// </summary>
public sealed class TrainedFaceModel
{
    private TrainedFaceModel(IChipEncoder encoder, string idPrefix, double? threshold, string directory, string? chipAlignment = null)
    {
        ChipAlignment = chipAlignment;
        Encoder = encoder;
        IdPrefix = idPrefix;
        Threshold = threshold;
        Directory = directory;
    }

    /// <summary>The encoder (owned by the caller once loaded).</summary>
    public IChipEncoder Encoder { get; }

    /// <summary>
    /// The model id before the alignment: <c>face-api-frn-&lt;base sha12&gt;+finetuned-&lt;weights sha12&gt;</c> or
    /// <c>convolve-resnet-&lt;weights sha12&gt;</c> (SHA-256 prefixes of the pretrained weights and of the checkpoint's
    /// model.safetensors).
    /// </summary>
    public string IdPrefix { get; }

    /// <summary>The euclidean distance threshold chosen on the checkpoint's validation pairs, or null when it has none.</summary>
    public double? Threshold { get; }

    /// <summary>The alignment a fine-tuned network's training chips were cut with ("FaceApiCrop" or "Landmarks"), when recorded.</summary>
    public string? ChipAlignment { get; }

    /// <summary>The checkpoint folder.</summary>
    public string Directory { get; }

    /// <summary>
    /// Loads the checkpoint in <paramref name="directory"/> (a fine-tuned face network is built on the pretrained one
    /// <paramref name="store"/> finds). Throws <see cref="InvalidInputException"/> naming the file when it is not a
    /// checkpoint of an image model.
    /// </summary>
    public static TrainedFaceModel Load(string directory, ModelStore store)
    {
        if (!System.IO.Directory.Exists(directory)) throw new InvalidInputException(directory, "model folder not found (expected a 'convolve train' checkpoint folder such as OUT/best)");
        CheckpointConfig config = Checkpoint.ReadConfig(directory);
        string configPath = Path.Combine(directory, Checkpoint.ConfigFile);
        if (config.Modality != Modality.Image)
            throw new InvalidInputException(configPath, $"is a {config.Modality.ToString().ToLowerInvariant()} model; faces need an image model");
        string weights = Path.Combine(directory, Checkpoint.WeightsFile);
        if (!File.Exists(weights)) throw new InvalidInputException(weights, "is missing");
        string hash;
        using (var stream = File.OpenRead(weights)) hash = Convert.ToHexStringLower(SHA256.HashData(stream))[..12];

        SimilarityModel model = Checkpoint.Load(directory, out _, store);
        try
        {
            if (config.Architecture == FaceFineTuning.Architecture)
            {
                model.Head?.Dispose();   // encodings are compared by distance; the binary head is not used here
                var encoder = new FaceEncoder((FaceRecognitionNet)model.Encoder);
                return new TrainedFaceModel(encoder, $"face-api-frn-{config.Training.FaceFineTuning!.BaseWeights}+finetuned-{hash}", config.DistanceThreshold, directory,
                    config.Training.FaceFineTuning.ChipAlignment);
            }
            return new TrainedFaceModel(new CheckpointChipEncoder(model), $"convolve-resnet-{hash}", config.DistanceThreshold, directory);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
