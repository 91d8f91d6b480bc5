using Convolve.Nn;
using Convolve.Training;

namespace Convolve.Tests.Training;

/// <summary>Checkpoints: a saved model encodes exactly as before; a run stopped by cancellation resumes on the same loss curve.</summary>
public sealed class CheckpointTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "convolve-ckpt-" + Guid.NewGuid().ToString("N"));

    private static TrainingOptions Options(LossKind loss) => new()
    {
        Network = new ResidualNetworkOptions { Width = 4, Stages = 2, EmbeddingSize = 8 },
        Loss = loss, Mining = MiningStrategy.All, Epochs = 3, StepsPerEpoch = 4, IdentitiesPerBatch = 4, SamplesPerIdentity = 3,
        ValidationPairs = 60, Seed = 5, Augment = true,
    };

    [Theory]
    [InlineData(LossKind.Triplet)]
    [InlineData(LossKind.Binary)]
    public void Checkpoint_round_trip_gives_identical_encodings_and_scores(LossKind loss)
    {
        var train = SyntheticIdentities.Signals(12, 4, seed: 1);
        var unseen = SyntheticIdentities.Signals(6, 3, seed: 2);
        using var result = SimilarityTrainer.Train(train, unseen, Options(loss) with { Epochs = 2 }, dir, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(File.Exists(Path.Combine(dir, "last", Checkpoint.WeightsFile)));
        Assert.True(File.Exists(Path.Combine(dir, "best", Checkpoint.WeightsFile)));

        using var loaded = Checkpoint.Load(result.LastCheckpoint!, out var config);
        Assert.Equal(2, config.Epoch);
        Assert.Equal(loss, config.Training.Loss);
        Assert.Equal(new long[] { 1, 64 }, config.InputShape);
        Assert.Equal((1, 1), (config.Training.Network.Dimensions, config.Training.Network.InputChannels)); // as built from the data
        var inputs = unseen.Samples.Select((_, i) => unseen.Load(i)).ToArray();
        var before = result.Model.Encode(inputs);
        var after = loaded.Encode(inputs);
        for (int i = 0; i < before.Length; i++) Assert.Equal(before[i], after[i]);
        var pairs = new[] { (before[0], before[1]), (before[0], before[5]) };
        Assert.Equal(result.Model.Score(pairs), loaded.Score(pairs.Select(p => (after[0], p.Item2 == before[1] ? after[1] : after[5])).ToArray()));
        Assert.Equal(loss == LossKind.Binary, loaded.Head != null);
    }

    [Fact]
    public void Cancelled_run_saves_a_checkpoint_and_resume_continues_the_same_loss_curve()
    {
        var train = SyntheticIdentities.Signals(12, 4, seed: 1);
        var options = Options(LossKind.Triplet);

        var uninterrupted = new List<StepLog>();
        using (SimilarityTrainer.Train(train, null, options, callbacks: new TrainingCallbacks { Step = uninterrupted.Add }, cancellationToken: TestContext.Current.CancellationToken)) { }
        Assert.Equal(12, uninterrupted.Count);

        // Cancel after the 6th step (epoch 1, step 1): the next step sees the token, saves last/ and returns.
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var first = new List<StepLog>();
        using (var stopped = SimilarityTrainer.Train(train, null, options, dir,
            new TrainingCallbacks { Step = s => { first.Add(s); if (first.Count == 6) cts.Cancel(); } }, cancellationToken: cts.Token))
        {
            Assert.True(stopped.Cancelled);
        }
        Assert.Equal(6, first.Count);
        var saved = Checkpoint.ReadConfig(Path.Combine(dir, "last"));
        Assert.Equal((1, 2), (saved.Epoch, saved.StepInEpoch));

        var resumed = new List<StepLog>();
        using (var rest = SimilarityTrainer.Train(train, null, options, dir, new TrainingCallbacks { Step = resumed.Add }, resumeFrom: Path.Combine(dir, "last"), cancellationToken: TestContext.Current.CancellationToken))
            Assert.False(rest.Cancelled);
        var stitched = first.Concat(resumed).ToList();
        Assert.Equal(uninterrupted.Select(s => (s.Epoch, s.Step)), stitched.Select(s => (s.Epoch, s.Step)));
        for (int i = 0; i < uninterrupted.Count; i++)
            Assert.Equal(uninterrupted[i].Loss, stitched[i].Loss, 5);
        Assert.Contains(uninterrupted, s => Math.Abs(s.Loss - uninterrupted[0].Loss) > 1e-3); // the curve is not flat
    }

    [Fact]
    public void Resuming_with_an_unreadable_optimiser_state_warns_and_goes_on()
    {
        // Checkpoints written before Nn/Optimizers hold TorchSharp's optimiser format: the weights resume, the optimiser restarts.
        var train = SyntheticIdentities.Signals(12, 4, seed: 1);
        var options = Options(LossKind.Triplet) with { Epochs = 1 };
        using (SimilarityTrainer.Train(train, null, options, dir, cancellationToken: TestContext.Current.CancellationToken)) { }
        string state = Path.Combine(dir, "last", Checkpoint.OptimizerFile);
        File.WriteAllBytes(state, [0, 1, 2, 3]);

        var warnings = new List<string>();
        var steps = new List<StepLog>();
        using var resumed = SimilarityTrainer.Train(train, null, options with { Epochs = 2 }, dir,
            new TrainingCallbacks { Warning = warnings.Add, Step = steps.Add }, resumeFrom: Path.Combine(dir, "last"),
            cancellationToken: TestContext.Current.CancellationToken);
        Assert.False(resumed.Cancelled);
        Assert.Equal(4, steps.Count); // the second epoch only
        var warning = Assert.Single(warnings);
        Assert.Contains(state, warning);
        Assert.Contains("starts afresh", warning);
    }

    public void Dispose()
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }
}
