using System.Text.Json;
using System.Text.Json.Serialization;
using Convolve.Data;
using Convolve.Models;
using Convolve.Nn;
using Convolve.Weights;
using static TorchSharp.torch;

namespace Convolve.Training;

/// <summary>What a checkpoint's config.json records beside its weights.</summary>
public sealed record CheckpointConfig
{
    /// <summary>Format tag of this file.</summary>
    public string Format { get; init; } = "convolve-similarity/1";

    /// <summary>The encoder architecture: "ResidualNetwork" (trained from scratch) or "FaceRecognitionNet" (fine-tuned; see <see cref="TrainingOptions.FaceFineTuning"/>).</summary>
    public string Architecture { get; init; } = nameof(ResidualNetwork);

    /// <summary>The kind of input (and so the convolution dimension).</summary>
    public Modality Modality { get; init; }

    /// <summary>Shape of one input sample [C, spatial...].</summary>
    public long[] InputShape { get; init; } = Array.Empty<long>();

    /// <summary>How inputs are normalised before the encoder.</summary>
    public string Normalisation { get; init; } = "";

    /// <summary>All training options (network shape, loss, mining, margin, optimiser, seed, ...).</summary>
    public TrainingOptions Training { get; init; } = new();

    /// <summary>Epochs completed when saved.</summary>
    public int Epoch { get; init; }

    /// <summary>Steps of the next epoch already done (non-zero only for a checkpoint saved on cancellation).</summary>
    public int StepInEpoch { get; init; }

    /// <summary>Validation figures of the last completed epoch, when there was validation.</summary>
    public VerificationMetrics? Metrics { get; init; }

    /// <summary>
    /// The euclidean distance below which two encodings are called the same identity: the best-accuracy threshold of
    /// <see cref="Metrics"/> (a threshold on score = −squared distance, so distance = √−threshold). Null for a model that
    /// scores with its binary head, or without validation.
    /// </summary>
    public double? DistanceThreshold => Training.Loss == LossKind.Triplet && Metrics is { } m ? Math.Sqrt(Math.Max(0, -m.BestThreshold)) : null;

    /// <summary>Best validation AUC so far.</summary>
    public double BestAuc { get; init; }

    /// <summary>When it was saved (UTC).</summary>
    public DateTime SavedUtc { get; init; }
}

/// <summary>
/// A checkpoint folder: model.safetensors (weights and batch-norm statistics), config.json
/// (<see cref="CheckpointConfig"/>) and optimizer.bin (the optimiser's state, for resuming).
/// </summary>
public static class Checkpoint
{
    /// <summary>Weights file name.</summary>
    public const string WeightsFile = "model.safetensors";

    /// <summary>Config file name.</summary>
    public const string ConfigFile = "config.json";

    /// <summary>Optimiser state file name.</summary>
    public const string OptimizerFile = "optimizer.bin";

    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    /// <summary>Writes <paramref name="model"/> and <paramref name="config"/> into <paramref name="directory"/>.</summary>
    public static void Save(string directory, SimilarityModel model, CheckpointConfig config) => Save(directory, model, config, null);

    /// <summary>Writes <paramref name="model"/>, <paramref name="config"/> and optionally the optimiser into <paramref name="directory"/>.</summary>
    internal static void Save(string directory, SimilarityModel model, CheckpointConfig config, Nn.Optimizers.ScalarSafeOptimizer? optimizer)
    {
        Directory.CreateDirectory(directory);
        CheckpointTensorsFile.Write(Path.Combine(directory, WeightsFile), model.StateDict(),
            new Dictionary<string, string> { ["format"] = config.Format, ["architecture"] = config.Architecture });
        optimizer?.Save(Path.Combine(directory, OptimizerFile));
        File.WriteAllText(Path.Combine(directory, ConfigFile), JsonSerializer.Serialize(config, Json));
    }

    /// <summary>Reads a checkpoint's config.</summary>
    public static CheckpointConfig ReadConfig(string directory)
    {
        string path = Path.Combine(directory, ConfigFile);
        if (!File.Exists(path)) throw new InvalidInputException(path, "is missing: not a Convolve training checkpoint folder");
        try { return JsonSerializer.Deserialize<CheckpointConfig>(File.ReadAllText(path), Json) ?? throw new JsonException("empty"); }
        catch (JsonException e) { throw new InvalidInputException(path, "is not a valid checkpoint config: " + e.Message, e); }
    }

    /// <summary>Rebuilds the model saved in <paramref name="directory"/>.</summary>
    public static SimilarityModel Load(string directory) => Load(directory, out _);

    /// <summary>
    /// Rebuilds the model saved in <paramref name="directory"/> and returns its config. A fine-tuned face network is
    /// built on the pretrained one found in <paramref name="models"/> (default <see cref="ModelStore.Default"/>), whose
    /// weights the checkpoint's then replace.
    /// </summary>
    public static SimilarityModel Load(string directory, out CheckpointConfig config, ModelStore? models = null)
    {
        config = ReadConfig(directory);
        if (config.Architecture != nameof(ResidualNetwork) && config.Architecture != FaceFineTuning.Architecture)
            throw new InvalidInputException(Path.Combine(directory, ConfigFile), $"records architecture '{config.Architecture}', which this version cannot build");
        if (config.Architecture == FaceFineTuning.Architecture && config.Training.FaceFineTuning is null)
            throw new InvalidInputException(Path.Combine(directory, ConfigFile), "records a FaceRecognitionNet without its fine-tuning settings");
        var training = config.Training.FaceFineTuning is { } ft ? config.Training with { FaceFineTuning = ft with { Models = models } } : config.Training;
        var model = Create(training, config.Modality, config.InputShape);
        string weights = Path.Combine(directory, WeightsFile);
        if (!File.Exists(weights)) throw new InvalidInputException(weights, "is missing");
        var state = CheckpointTensorsFile.Read(weights);
        try { model.LoadStateDict(state, weights); }
        catch { model.Dispose(); throw; }
        finally { foreach (var t in state.Values) t.Dispose(); }
        return model;
    }

    /// <summary>The architecture name a model for <paramref name="options"/> records.</summary>
    public static string ArchitectureOf(TrainingOptions options) =>
        options.FaceFineTuning is null ? nameof(ResidualNetwork) : FaceFineTuning.Architecture;

    /// <summary>
    /// A fresh model for <paramref name="options"/>: a <see cref="ResidualNetwork"/> initialised from the seed, or the
    /// pretrained face network with all but its last <see cref="FaceFineTuning.TrainableBlocks"/> units frozen.
    /// </summary>
    public static SimilarityModel Create(TrainingOptions options, Modality modality, long[] inputShape)
    {
        if (options.FaceFineTuning is { } ft) return CreateFaceFineTune(options, ft, modality, inputShape);
        var network = options.Network with { Dimensions = inputShape.Length - 1, InputChannels = (int)inputShape[0] };
        var encoder = new ResidualNetwork(network);
        encoder.InitializeFromSeed(SeedMix.Of(options.Seed, 1, 0));
        SiameseHead? head = null;
        if (options.Loss == LossKind.Binary)
        {
            head = new SiameseHead(network.EmbeddingSize, options.PairFeature);
            head.SetWeights(HeadStart(network.EmbeddingSize, options.Seed), 0f);
        }
        return new SimilarityModel(encoder, head, modality, inputShape);
    }

    private static SimilarityModel CreateFaceFineTune(TrainingOptions options, FaceFineTuning ft, Modality modality, long[] inputShape)
    {
        long[] chip = [3, FaceRecognitionNet.InputSize, FaceRecognitionNet.InputSize];
        if (modality != Modality.Image || !inputShape.SequenceEqual(chip))
            throw new ArgumentException($"Fine-tuning the face network needs [3,150,150] face chips, not {modality} samples [{string.Join(",", inputShape)}].");
        var net = FaceRecognitionNet.Load(ft.Models);
        net.SetTrainableBlocks(ft.TrainableBlocks);
        SiameseHead? head = null;
        if (options.Loss == LossKind.Binary)
        {
            head = new SiameseHead(FaceRecognitionNet.DescriptorLength, options.PairFeature);
            head.SetWeights(HeadStart(FaceRecognitionNet.DescriptorLength, options.Seed), 0f);
        }
        return new SimilarityModel(net, head, modality, inputShape);
    }

    // Starts the head at "larger difference = less likely the same" with small seeded jitter.
    private static float[] HeadStart(int size, int seed)
    {
        var rng = new Random(SeedMix.Of(seed, 2, 0));
        return Enumerable.Range(0, size).Select(_ => (float)(-1.0 + 0.1 * (rng.NextDouble() * 2 - 1))).ToArray();
    }
}
