namespace Convolve.Training;

/// <summary>The figures of one training step.</summary>
/// <param name="Epoch">Zero-based epoch.</param>
/// <param name="Step">Zero-based step within the epoch.</param>
/// <param name="Loss">J of the step.</param>
/// <param name="Mined">Triplets (triplet loss) or pairs (binary head) mined from the batch.</param>
/// <param name="ActiveFraction">Triplet loss: share of mined triplets with L &gt; 0. Binary: share of pairs misclassified.</param>
/// <param name="MeanPositiveDistance">Mean squared distance d(A,P) (binary: of the same pairs).</param>
/// <param name="MeanNegativeDistance">Mean squared distance d(A,N) (binary: of the different pairs).</param>
/// <param name="LearningRate">The rate used for this step.</param>
public sealed record StepLog(int Epoch, int Step, double Loss, int Mined, double ActiveFraction, double MeanPositiveDistance, double MeanNegativeDistance, double LearningRate);

/// <summary>The figures of one epoch.</summary>
/// <param name="Epoch">Zero-based epoch.</param>
/// <param name="Steps">Steps run in this epoch (fewer than planned when resumed mid-epoch).</param>
/// <param name="MeanLoss">Mean J over the steps.</param>
/// <param name="MeanActiveFraction">Mean of the steps' active fractions.</param>
/// <param name="MeanPositiveDistance">Mean of the steps' d(A,P).</param>
/// <param name="MeanNegativeDistance">Mean of the steps' d(A,N).</param>
/// <param name="Validation">Validation on held-out identities, when there are any.</param>
/// <param name="SamplesPerSecond">Training throughput (forward, backward and update; validation excluded).</param>
/// <param name="IsBest">This epoch's validation AUC is the best so far (its checkpoint is kept as best).</param>
public sealed record EpochLog(int Epoch, int Steps, double MeanLoss, double MeanActiveFraction, double MeanPositiveDistance, double MeanNegativeDistance, VerificationMetrics? Validation, double SamplesPerSecond, bool IsBest);

/// <summary>Hooks a caller (CLI progress bar, tests) receives during training; all are called on the training thread.</summary>
public sealed class TrainingCallbacks
{
    /// <summary>Before every epoch: its zero-based number and the steps it will run.</summary>
    public Action<int, int>? EpochStarting { get; init; }

    /// <summary>After every step.</summary>
    public Action<StepLog>? Step { get; init; }

    /// <summary>After every epoch and its validation.</summary>
    public Action<EpochLog>? Epoch { get; init; }

    /// <summary>A problem that did not stop training (e.g. an unreadable file, skipped).</summary>
    public Action<string>? Warning { get; init; }
}

/// <summary>What a training run produced.</summary>
public sealed class TrainingResult : IDisposable
{
    internal TrainingResult(SimilarityModel model, IReadOnlyList<EpochLog> epochs, bool cancelled, string? lastCheckpoint, string? bestCheckpoint)
    {
        Model = model;
        Epochs = epochs;
        Cancelled = cancelled;
        LastCheckpoint = lastCheckpoint;
        BestCheckpoint = bestCheckpoint;
    }

    /// <summary>The model as it is at the end (not necessarily the best epoch's; load <see cref="BestCheckpoint"/> for that).</summary>
    public SimilarityModel Model { get; }

    /// <summary>The epochs completed in this run.</summary>
    public IReadOnlyList<EpochLog> Epochs { get; }

    /// <summary>True when stopped by the cancellation token (a checkpoint was saved first).</summary>
    public bool Cancelled { get; }

    /// <summary>The folder of the last checkpoint (null without an output folder).</summary>
    public string? LastCheckpoint { get; }

    /// <summary>The folder of the best-validation checkpoint (null without validation or output folder).</summary>
    public string? BestCheckpoint { get; }

    /// <summary>Validation of the last completed epoch.</summary>
    public VerificationMetrics? FinalValidation => Epochs.LastOrDefault(e => e.Validation != null)?.Validation;

    /// <summary>The best validation of the run (by AUC).</summary>
    public VerificationMetrics? BestValidation => Epochs.Where(e => e.Validation != null).MaxBy(e => e.Validation!.Auc)?.Validation;

    /// <summary>Mean training throughput over the run's epochs.</summary>
    public double SamplesPerSecond => Epochs.Count == 0 ? 0 : Epochs.Average(e => e.SamplesPerSecond);

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();
}
