using System.Diagnostics;
using Convolve.Data;
using Convolve.Models;
using Convolve.Nn.Optimizers;
using static TorchSharp.torch;

namespace Convolve.Training;

/// <summary>
/// Trains a similarity function f on identity-labelled data with the triplet loss or the binary Siamese head:
/// P×K batches, online mining, Adam or SGD with momentum, a learning-rate schedule, validation on held-out
/// identities every epoch, checkpoints (last and best), resume, and a clean stop on cancellation.
/// </summary>
public static class SimilarityTrainer
{
    /// <summary>Name of the sub-folder of the output folder holding the latest checkpoint.</summary>
    public const string LastFolder = "last";

    /// <summary>Name of the sub-folder of the output folder holding the best-validation checkpoint.</summary>
    public const string BestFolder = "best";

    /// <summary>
    /// Trains on <paramref name="train"/>, validating on <paramref name="validation"/> (identities disjoint from
    /// train's) after each epoch. With <paramref name="outputDirectory"/>, saves last/ every epoch and best/ on
    /// every new best validation AUC. With <paramref name="resumeFrom"/> (a checkpoint folder), continues that
    /// run with its own options (only <see cref="TrainingOptions.Epochs"/> is taken from
    /// <paramref name="options"/>) from where it stopped. On cancellation, saves last/ and returns with
    /// <see cref="TrainingResult.Cancelled"/> set.
    /// </summary>
    public static TrainingResult Train(IdentityDataset train, IdentityDataset? validation, TrainingOptions options,
        string? outputDirectory = null, TrainingCallbacks? callbacks = null, string? resumeFrom = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        callbacks ??= new TrainingCallbacks();
        int startEpoch = 0, startStep = 0;
        double bestAuc = double.NegativeInfinity;
        SimilarityModel model;
        if (resumeFrom != null)
        {
            model = Checkpoint.Load(resumeFrom, out var saved, options.FaceFineTuning?.Models);
            if (!saved.InputShape.SequenceEqual(train.SampleShape))
                throw new InvalidInputException(resumeFrom, $"was trained on [{string.Join(",", saved.InputShape)}] samples, the data has [{string.Join(",", train.SampleShape)}]");
            options = saved.Training with { Epochs = options.Epochs };
            (startEpoch, startStep, bestAuc) = (saved.Epoch, saved.StepInEpoch, saved.BestAuc);
        }
        else
        {
            // Record the network as built: its dimension and input channels come from the data; a fine-tune records
            // which pretrained weights it started from.
            options = options.FaceFineTuning is { } ft
                ? options with { FaceFineTuning = ft with { BaseWeights = FaceRecognitionNet.WeightsId(ft.Models) } }
                : options with { Network = options.Network with { Dimensions = train.Dimensions, InputChannels = (int)train.SampleShape[0] } };
            model = Checkpoint.Create(options, train.Modality, train.SampleShape);
        }

        var parameters = model.TrainableParameters(); // frozen units of a fine-tune are left out
        using ScalarSafeOptimizer optimizer = options.Optimizer == OptimizerKind.Adam
            ? new Adam(parameters, options.LearningRate, weightDecay: options.WeightDecay)
            : new Sgd(parameters, options.LearningRate, momentum: options.Momentum, weightDecay: options.WeightDecay);
        if (resumeFrom != null && File.Exists(Path.Combine(resumeFrom, Checkpoint.OptimizerFile)))
        {
            try
            {
                optimizer.Load(Path.Combine(resumeFrom, Checkpoint.OptimizerFile));
            }
            catch (InvalidInputException e)
            {
                callbacks.Warning?.Invoke($"{e.Message}; the optimiser starts afresh (the weights are resumed)");
            }
        }

        var sampler = new PkBatchSampler(train, options.IdentitiesPerBatch, options.SamplesPerIdentity, options.Seed, options.StepsPerEpoch);
        var validationSet = validation is null ? null : ValidationSet.Build(validation, options.ValidationPairs, options.Seed, callbacks.Warning);
        ISampleAugmentation? augmentation = !options.Augment ? null
            // Face chips span about 1 (not 2) after their normalisation: half the colour jitter of the [−1, 1] images.
            : options.FaceFineTuning != null ? new ImageAugmentation(Brightness: 0.1, Contrast: 0.1, Saturation: 0.1)
            : train.Modality == Modality.Image ? new ImageAugmentation()
            : new ArrayAugmentation(MaxShift: train.Modality == Modality.Volume ? 2 : 4, Flip: train.Modality == Modality.Volume);
        var loader = new BatchLoader(train, augmentation, callbacks.Warning);

        string? last = outputDirectory is null ? null : Path.Combine(outputDirectory, LastFolder);
        string? best = outputDirectory is null ? null : Path.Combine(outputDirectory, BestFolder);
        bool hasBest = best != null && File.Exists(Path.Combine(best, Checkpoint.ConfigFile));
        var epochs = new List<EpochLog>();
        VerificationMetrics? lastMetrics = null;

        CheckpointConfig Config(int epoch, int step) => new()
        {
            Architecture = Checkpoint.ArchitectureOf(options), Modality = train.Modality, InputShape = train.SampleShape,
            Normalisation = options.FaceFineTuning != null ? FaceRecognitionNet.Normalisation : FolderDataset.Normalisation(train.Modality),
            Training = options, Epoch = epoch, StepInEpoch = step, Metrics = lastMetrics,
            BestAuc = double.IsFinite(bestAuc) ? bestAuc : 0, SavedUtc = DateTime.UtcNow,
        };

        model.Encoder.train();
        model.Head?.train();
        for (int epoch = startEpoch; epoch < options.Epochs; epoch++)
        {
            callbacks.EpochStarting?.Invoke(epoch, sampler.BatchesPerEpoch - (epoch == startEpoch ? startStep : 0));
            var steps = new List<StepLog>();
            var clock = Stopwatch.StartNew();
            int step = 0;
            foreach (var batch in sampler.Batches(epoch))
            {
                if (epoch == startEpoch && step < startStep) { step++; continue; } // resumed mid-epoch: these were done
                if (cancellationToken.IsCancellationRequested)
                {
                    if (last != null) Checkpoint.Save(last, model, Config(epoch, step), optimizer);
                    return new TrainingResult(model, epochs, cancelled: true, last, hasBest ? best : null);
                }
                var log = RunStep(model, optimizer, loader, batch, options, epoch, step, sampler.BatchesPerEpoch);
                steps.Add(log);
                callbacks.Step?.Invoke(log);
                step++;
            }
            clock.Stop();
            double throughput = steps.Count * sampler.P * sampler.K / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);

            lastMetrics = validationSet?.Evaluate(model);
            bool isBest = lastMetrics != null && lastMetrics.Auc > bestAuc;
            if (isBest) bestAuc = lastMetrics!.Auc;
            var epochLog = new EpochLog(epoch, steps.Count, MeanOf(steps, s => s.Loss), MeanOf(steps, s => s.ActiveFraction),
                MeanOf(steps, s => s.MeanPositiveDistance), MeanOf(steps, s => s.MeanNegativeDistance), lastMetrics, throughput, isBest);
            epochs.Add(epochLog);
            if (last != null) Checkpoint.Save(last, model, Config(epoch + 1, 0), optimizer);
            if (isBest && best != null) { Checkpoint.Save(best, model, Config(epoch + 1, 0)); hasBest = true; }
            callbacks.Epoch?.Invoke(epochLog);
        }
        model.Encoder.eval();
        model.Head?.eval();
        return new TrainingResult(model, epochs, cancelled: false, last, hasBest ? best : null);
    }

    private static StepLog RunStep(SimilarityModel model, ScalarSafeOptimizer optimizer, BatchLoader loader, int[] batch,
        TrainingOptions options, int epoch, int step, int stepsPerEpoch)
    {
        using var scope = NewDisposeScope(); // everything of this step is freed here: flat memory
        var rng = new Random(SeedMix.Of(options.Seed, epoch, step));
        var (input, labels) = loader.Load(batch, rng);
        double lr = options.LearningRateAt(epoch, step, stepsPerEpoch);
        optimizer.LearningRate = lr;

        var embeddings = model.Encoder.forward(input);
        LossResult result;
        if (options.Loss == LossKind.Triplet)
        {
            var distances = PairwiseDistances.ToMatrix(PairwiseDistances.SquaredEuclidean(embeddings.detach()));
            var triplets = TripletMiner.Mine(options.Mining, distances, labels, options.Margin, rng);
            result = TripletLoss.Compute(embeddings, triplets, options.Margin, options.Reduction);
        }
        else result = BinaryPairLoss.Compute(model.Head!, embeddings, PairMiner.Balanced(labels, rng));

        optimizer.ZeroGrad();
        result.Loss.backward();
        optimizer.Step();
        return new StepLog(epoch, step, result.Loss.item<float>(), result.Triplets, result.ActiveFraction,
            result.MeanPositiveDistance, result.MeanNegativeDistance, lr);
    }

    private static double MeanOf(List<StepLog> steps, Func<StepLog, double> pick)
    {
        var values = steps.Select(pick).Where(double.IsFinite).ToList();
        return values.Count == 0 ? double.NaN : values.Average();
    }

    /// <summary>Reads and augments the samples of a batch into one tensor; an unreadable file is reported once and replaced by another sample of its identity.</summary>
    private sealed class BatchLoader(IdentityDataset data, ISampleAugmentation? augmentation, Action<string>? warn)
    {
        private readonly HashSet<int> unreadable = new();

        public (Tensor Input, int[] Labels) Load(int[] batch, Random rng)
        {
            long length = data.SampleLength;
            var flat = new float[batch.Length * length];
            var labels = new int[batch.Length];
            for (int i = 0; i < batch.Length; i++)
            {
                var sample = Read(batch[i]);
                augmentation?.Apply(sample, data.SampleShape, rng);
                sample.CopyTo(flat, i * length);
                labels[i] = data.Samples[batch[i]].Identity;
            }
            return (tensor(flat, new long[] { batch.Length }.Concat(data.SampleShape).ToArray()), labels);
        }

        private float[] Read(int index)
        {
            int identity = data.Samples[index].Identity;
            foreach (int candidate in new[] { index }.Concat(data.SamplesOf(identity)))
            {
                if (unreadable.Contains(candidate)) continue;
                try { return data.Load(candidate); }
                catch (InvalidInputException e)
                {
                    unreadable.Add(candidate);
                    warn?.Invoke($"skipped: {e.Message}");
                }
            }
            throw new InvalidInputException(null, $"no sample of identity '{data.Identities[identity]}' can be read");
        }
    }
}
