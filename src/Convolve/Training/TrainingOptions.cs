using Convolve.Nn;

namespace Convolve.Training;

/// <summary>Which objective trains the encoder.</summary>
public enum LossKind
{
    /// <summary>Triplet loss with online mining.</summary>
    Triplet,
    /// <summary>Binary Siamese head with binary cross-entropy on balanced pairs.</summary>
    Binary,
}

/// <summary>The optimiser.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (Kingma and Ba).</summary>
    Adam,
    /// <summary>Stochastic gradient descent with momentum.</summary>
    Sgd,
}

/// <summary>How the learning rate changes over training.</summary>
public enum LearningRateSchedule
{
    /// <summary>The same rate throughout.</summary>
    Constant,
    /// <summary>Cosine decay from the rate to 0 over all steps.</summary>
    Cosine,
    /// <summary>Multiplied by <see cref="TrainingOptions.StepDecayFactor"/> every <see cref="TrainingOptions.StepDecayEpochs"/> epochs.</summary>
    Step,
}

/// <summary>Everything that decides a training run. Same options and data give the same run.</summary>
public sealed record TrainingOptions
{
    /// <summary>When set, the pretrained face network is fine-tuned instead of a <see cref="ResidualNetwork"/> trained from scratch (<see cref="Network"/> is then unused).</summary>
    public FaceFineTuning? FaceFineTuning { get; init; }

    /// <summary>The encoder's shape. Dimensions and InputChannels are taken from the data.</summary>
    public ResidualNetworkOptions Network { get; init; } = new();

    /// <summary>Triplet or binary.</summary>
    public LossKind Loss { get; init; } = LossKind.Triplet;

    /// <summary>Triplet mining strategy.</summary>
    public MiningStrategy Mining { get; init; } = MiningStrategy.SemiHard;

    /// <summary>
    /// The margin α of the triplet loss, on squared distances: of unit vectors (in [0, 4]) for a
    /// <see cref="ResidualNetwork"/>, of the face network's un-normalised descriptors when fine-tuning.
    /// </summary>
    public double Margin { get; init; } = 0.2;

    /// <summary>Mean or sum over triplets.</summary>
    public LossReduction Reduction { get; init; } = LossReduction.Mean;

    /// <summary>The binary head's element-wise comparison.</summary>
    public PairFeature PairFeature { get; init; } = PairFeature.AbsoluteDifference;

    /// <summary>Adam or SGD with momentum.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>The base learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>SGD momentum.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>L2 weight decay.</summary>
    public double WeightDecay { get; init; } = 0;

    /// <summary>The learning-rate schedule.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Cosine;

    /// <summary>Epochs between decays of the step schedule.</summary>
    public int StepDecayEpochs { get; init; } = 10;

    /// <summary>Factor of each decay of the step schedule.</summary>
    public double StepDecayFactor { get; init; } = 0.1;

    /// <summary>Number of epochs.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>P: identities per batch.</summary>
    public int IdentitiesPerBatch { get; init; } = 8;

    /// <summary>K: samples per identity in a batch.</summary>
    public int SamplesPerIdentity { get; init; } = 4;

    /// <summary>Batches per epoch; 0 means about one pass over the training samples.</summary>
    public int StepsPerEpoch { get; init; }

    /// <summary>Apply the modality's default augmentation to training samples.</summary>
    public bool Augment { get; init; } = true;

    /// <summary>Most validation pairs scored each epoch (half same, half different).</summary>
    public int ValidationPairs { get; init; } = 2000;

    /// <summary>The seed of everything random: initial weights, batches, augmentation, mining, validation pairs.</summary>
    public int Seed { get; init; }

    /// <summary>Throws when an option is out of range, naming it.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "must be at least 1");
        if (IdentitiesPerBatch < 2) throw new ArgumentOutOfRangeException(nameof(IdentitiesPerBatch), IdentitiesPerBatch, "P must be at least 2");
        if (SamplesPerIdentity < 2) throw new ArgumentOutOfRangeException(nameof(SamplesPerIdentity), SamplesPerIdentity, "K must be at least 2");
        if (Margin < 0) throw new ArgumentOutOfRangeException(nameof(Margin), Margin, "must not be negative");
        if (LearningRate <= 0) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "must be positive");
        if (StepsPerEpoch < 0) throw new ArgumentOutOfRangeException(nameof(StepsPerEpoch), StepsPerEpoch, "must not be negative");
        FaceFineTuning?.Validate();
    }

    /// <summary>The learning rate at <paramref name="epoch"/> + <paramref name="stepInEpoch"/>/<paramref name="stepsPerEpoch"/>.</summary>
    public double LearningRateAt(int epoch, int stepInEpoch, int stepsPerEpoch) => Schedule switch
    {
        LearningRateSchedule.Constant => LearningRate,
        LearningRateSchedule.Step => LearningRate * Math.Pow(StepDecayFactor, epoch / Math.Max(1, StepDecayEpochs)),
        _ => LearningRate * 0.5 * (1 + Math.Cos(Math.PI * (epoch + (double)stepInEpoch / stepsPerEpoch) / Epochs)),
    };
}
