using System.Globalization;
using Convolve.Data;
using Convolve.Faces;
using Convolve.Nn;
using Convolve.Training;
using Convolve.Faces.Training;
using Convolve.Tests.Imaging;
using Convolve.Weights;

namespace Convolve.Tests.Faces.Training;

/// <summary>
/// 150×150 face chips of a few LFW View 1 DevTrain people (four photos each), cut once per test class with the default
/// analyzer into a temporary identity tree. Skips when ../shared or the face models are absent.
/// </summary>
public sealed class LfwChips : IDisposable
{
    private readonly TempFolder _dir = new();
    private readonly Lazy<string> _root;
    private readonly Lazy<string> _fineTuned, _fineTunedWithoutValidation, _resnet;

    public LfwChips()
    {
        _root = new Lazy<string>(() => Cut(People));
        _fineTuned = new Lazy<string>(() => FineTune("finetuned", validation: true));
        _fineTunedWithoutValidation = new Lazy<string>(() => FineTune("finetuned-no-validation", validation: false));
        _resnet = new Lazy<string>(TrainResNet);
    }

    /// <summary>A checkpoint (OUT/last) of the face network fine-tuned for two steps, validated on two held-out people.</summary>
    public string FineTuned { get { _ = Root; return _fineTuned.Value; } }

    /// <summary>The same without validation: it records no threshold.</summary>
    public string FineTunedWithoutValidation { get { _ = Root; return _fineTunedWithoutValidation.Value; } }

    /// <summary>A checkpoint (OUT/last) of a small ResidualNetwork trained from scratch on the chips at 32², one step.</summary>
    public string ResNet { get { _ = Root; return _resnet.Value; } }

    /// <summary>Fine-tuning options for short test runs.</summary>
    public static TrainingOptions FineTuneOptions(int steps) => new()
    {
        FaceFineTuning = new FaceFineTuning { TrainableBlocks = 3, Models = Models },
        Mining = MiningStrategy.All,
        Margin = 0.5,
        Augment = false,
        LearningRate = 1e-4,
        Schedule = LearningRateSchedule.Constant,
        Epochs = 1,
        StepsPerEpoch = steps,
        IdentitiesPerBatch = 4,
        SamplesPerIdentity = 4,
        Seed = 3,
    };

    private string FineTune(string name, bool validation)
    {
        var data = FaceChipDataset.Load(_root.Value);
        var (train, held) = data.SplitByIdentity(0.34, seed: 1);
        string dir = Scratch(name);
        var options = FineTuneOptions(2);
        options = options with { FaceFineTuning = options.FaceFineTuning! with { ChipAlignment = FaceChipDataset.ReadAlignment(_root.Value)?.ToString() } };
        using var result = SimilarityTrainer.Train(validation ? train : data, validation ? held : null, options, dir);
        return Path.Combine(dir, SimilarityTrainer.LastFolder);
    }

    private string TrainResNet()
    {
        var data = FolderDataset.Load(_root.Value, Modality.Image, 32);
        var (train, held) = data.SplitByIdentity(0.34, seed: 1);
        var options = new TrainingOptions
        {
            Network = new ResidualNetworkOptions { Width = 4, Stages = 2, EmbeddingSize = 16 },
            Epochs = 1, StepsPerEpoch = 1, IdentitiesPerBatch = 2, SamplesPerIdentity = 2, Seed = 2,
        };
        string dir = Scratch("resnet");
        using var result = SimilarityTrainer.Train(train, held, options, dir);
        return Path.Combine(dir, SimilarityTrainer.LastFolder);
    }

    /// <summary>How many people.</summary>
    public const int People = 6;

    /// <summary>Photos (and chips) per person.</summary>
    public const int PerPerson = 4;

    /// <summary>The face-api model folder (skips when absent).</summary>
    public static ModelStore Models => new(SharedData.RequireFaceModels());

    /// <summary>The chip tree root/&lt;person&gt;/&lt;name&gt;.png.</summary>
    public string Root
    {
        get
        {
            SharedData.RequireFaceModels();
            SharedData.Require("data/lfw-view1");
            return _root.Value;
        }
    }

    /// <summary>A scratch folder deleted with the fixture.</summary>
    public string Scratch(string name) => Path.Combine(_dir.Path, name);

    private string Cut(int people)
    {
        string lfw = SharedData.Require("data/lfw-view1");
        string photos = Path.Combine(_dir.Path, "photos"), chips = Path.Combine(_dir.Path, "chips");
        var names = File.ReadLines(Path.Combine(lfw, "peopleDevTrain.txt")).Skip(1).Select(l => l.Split('\t'))
            .Where(f => int.Parse(f[1], CultureInfo.InvariantCulture) >= PerPerson).Select(f => f[0]).Take(people);
        foreach (string name in names)
            for (int i = 1; i <= PerPerson; i++) Cli.LfwSample.Copy(photos, name, i);
        using var analyzer = FaceAnalyzer.Load(new FaceAnalyzerOptions { Models = Models });
        var report = new FaceChipExtractor(analyzer).ExtractAll(photos, chips);
        if (report.Chips != people * PerPerson) throw new InvalidOperationException($"expected {people * PerPerson} chips, got {report.Chips}");
        return chips;
    }

    public void Dispose() => _dir.Dispose();
}
