using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Convolve.Data;
using Convolve.Faces.Training;
using Convolve.Nn;
using Convolve.Cli.Infrastructure;
using Convolve.Training;
using Spectre.Console;

namespace Convolve.Cli.Commands;

/// <summary>`convolve train`: learns a similarity function on a folder-per-identity dataset.</summary>
public static class TrainCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Dataset folder: DIR/<identity>/<files>", Required = true };
        var output = new Option<string>("--out") { Description = "Output folder for checkpoints (last/, best/)", Required = true };
        var modality = new Option<string>("--modality") { Description = "image | signal | volume", DefaultValueFactory = _ => "image" };
        modality.AcceptOnlyFromAmong("image", "signal", "volume");
        var size = new Option<int?>("--size") { Description = "Image side / signal length / volume side (default 64 / 128 / 16)" };
        var loss = new Option<string>("--loss") { Description = "triplet | binary", DefaultValueFactory = _ => "triplet" };
        loss.AcceptOnlyFromAmong("triplet", "binary");
        var mining = new Option<string>("--mining") { Description = "semihard | hard | all | random", DefaultValueFactory = _ => "semihard" };
        mining.AcceptOnlyFromAmong("semihard", "hard", "all", "random");
        var head = new Option<string>("--head") { Description = "Binary head form: abs | chi2", DefaultValueFactory = _ => "abs" };
        head.AcceptOnlyFromAmong("abs", "chi2");
        var margin = new Option<double>("--margin") { Description = "Triplet margin α (squared distances)", DefaultValueFactory = _ => 0.2 };
        var embedding = new Option<int>("--embedding") { Description = "Embedding size", DefaultValueFactory = _ => 128 };
        var width = new Option<int>("--width") { Description = "Channels of the first stage", DefaultValueFactory = _ => 16 };
        var stages = new Option<int>("--stages") { Description = "Stages (each halves the resolution)", DefaultValueFactory = _ => 3 };
        var blocks = new Option<int>("--blocks") { Description = "Residual blocks per stage", DefaultValueFactory = _ => 1 };
        var epochs = new Option<int>("--epochs") { Description = "Epochs", DefaultValueFactory = _ => 10 };
        var steps = new Option<int>("--steps") { Description = "Batches per epoch (0: one pass over the data)", DefaultValueFactory = _ => 0 };
        var batch = new Option<string>("--batch") { Description = "P×K: identities × samples per identity (e.g. 8x4)", DefaultValueFactory = _ => "8x4" };
        var optimizer = new Option<string>("--optimizer") { Description = "adam | sgd (momentum 0.9)", DefaultValueFactory = _ => "adam" };
        optimizer.AcceptOnlyFromAmong("adam", "sgd");
        var lr = new Option<double>("--lr") { Description = "Learning rate (cosine schedule); default 1e-3, or 1e-5 with --finetune face", DefaultValueFactory = _ => 1e-3 };
        var validation = new Option<double>("--validation") { Description = "Share of identities held out for validation", DefaultValueFactory = _ => 0.2 };
        var seed = new Option<int>("--seed") { Description = "Seed of everything random", DefaultValueFactory = _ => 0 };
        var resume = new Option<string?>("--resume") { Description = "Continue from a checkpoint folder (e.g. OUT/last)" };
        var finetune = new Option<string?>("--finetune")
        {
            Description = "face: fine-tune the pretrained face network on 150×150 face chips (made by 'convolve faces chips') instead of training from scratch",
        };
        finetune.AcceptOnlyFromAmong("face");
        var trainableBlocks = new Option<int>("--trainable-blocks")
        {
            Description = $"With --finetune face: how many of the face network's {Convolve.Models.FaceRecognitionNet.BlockCount} units (15 conv stages + fc) learn, counted from the output",
            DefaultValueFactory = _ => new FaceFineTuning().TrainableBlocks,
        };

        var command = new Command("train", "Learn a similarity function (triplet loss or binary Siamese head) on 1D, 2D or 3D data");
        foreach (var o in new Option[] { data, output, modality, size, loss, mining, head, margin, embedding, width, stages, blocks, epochs, steps, batch, optimizer, lr, validation, seed, resume, finetune, trainableBlocks })
            command.Options.Add(o);

        command.SetAction((parse, invocationToken) =>
        {
            bool asJson = parse.GetValue<bool>(GlobalOptions.JsonName); // the root's --json: print the final metrics as JSON
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            // Ctrl-C (SIGINT) or SIGTERM stops training at the next step, which saves a checkpoint first,
            // instead of killing the process.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(invocationToken);
            Action<PosixSignalContext> onSignal = context => { context.Cancel = true; stop.Cancel(); };
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, onSignal);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, onSignal);
            var cancellationToken = stop.Token;
            try
            {
                string? resumeFrom = parse.GetValue(resume);
                bool face = parse.GetValue(finetune) == "face"
                    || (resumeFrom != null && Checkpoint.ReadConfig(resumeFrom).Architecture == FaceFineTuning.Architecture);
                if (face && new Option[] { modality, size, width, stages, blocks, embedding }.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } given)
                    return Task.FromResult(Usage(stderr, $"{given.Name} does not apply to --finetune face: the face network takes 150×150 chips and gives 128-D encodings."));
                if (!face && parse.GetResult(trainableBlocks) is { Implicit: false })
                    return Task.FromResult(Usage(stderr, "--trainable-blocks applies to --finetune face."));
                if (!TryParseBatch(parse.GetValue(batch)!, out int p, out int k))
                    return Task.FromResult(Usage(stderr, $"--batch '{parse.GetValue(batch)}': expected P×K such as 8x4 (P ≥ 2 identities, K ≥ 2 samples each)."));
                var kind = parse.GetValue(modality) switch { "signal" => Modality.Signal, "volume" => Modality.Volume, _ => Modality.Image };
                var options = new TrainingOptions
                {
                    Network = new ResidualNetworkOptions { Width = parse.GetValue(width), Stages = parse.GetValue(stages), BlocksPerStage = parse.GetValue(blocks), EmbeddingSize = parse.GetValue(embedding) },
                    Loss = parse.GetValue(loss) == "binary" ? LossKind.Binary : LossKind.Triplet,
                    Mining = parse.GetValue(mining) switch { "hard" => MiningStrategy.Hard, "all" => MiningStrategy.All, "random" => MiningStrategy.Random, _ => MiningStrategy.SemiHard },
                    PairFeature = parse.GetValue(head) == "chi2" ? PairFeature.ChiSquare : PairFeature.AbsoluteDifference,
                    Margin = parse.GetValue(margin),
                    Optimizer = parse.GetValue(optimizer) == "sgd" ? OptimizerKind.Sgd : OptimizerKind.Adam,
                    LearningRate = face && parse.GetResult(lr) is not { Implicit: false } ? FaceFineTuning.SuggestedLearningRate : parse.GetValue(lr),
                    Epochs = parse.GetValue(epochs),
                    StepsPerEpoch = parse.GetValue(steps),
                    IdentitiesPerBatch = p,
                    SamplesPerIdentity = k,
                    Seed = parse.GetValue(seed),
                    FaceFineTuning = face
                        ? new FaceFineTuning
                        {
                            TrainableBlocks = parse.GetValue(trainableBlocks),
                            ChipAlignment = FaceChipDataset.ReadAlignment(parse.GetValue(data)!)?.ToString(),
                            Models = new Convolve.Weights.ModelStore(parse.GetValue<string?>(GlobalOptions.ModelsName)),
                        }
                        : null,
                };
                try { options.Validate(); options.Network.Validate(); }
                catch (ArgumentOutOfRangeException e) { return Task.FromResult(Usage(stderr, e.Message)); }

                var all = face ? FaceChipDataset.Load(parse.GetValue(data)!) : FolderDataset.Load(parse.GetValue(data)!, kind, parse.GetValue(size));
                // A resumed run keeps its own seed (and so the same identity split) whatever --seed says now.
                int splitSeed = resumeFrom is null ? options.Seed : Checkpoint.ReadConfig(resumeFrom).Training.Seed;
                var (train, val) = all.SplitByIdentity(parse.GetValue(validation), splitSeed);
                if (!asJson)
                    AnsiConsole.MarkupLine($"[bold]{all.Identities.Count}[/] identities, {all.Samples.Count} samples [[{string.Join("×", all.SampleShape)}]]: " +
                        $"{train.Identities.Count} for training, {val.Identities.Count} held out for validation.");
                var result = Run(train, val, options, parse.GetValue(output)!, resumeFrom, asJson, stderr, cancellationToken);
                using (result)
                {
                    if (asJson) stdout.WriteLine(JsonSerializer.Serialize(Summary(result), new JsonSerializerOptions { WriteIndented = true }));
                    else Report(result);
                }
                return Task.FromResult(result.Cancelled ? 130 : 0);
            }
            catch (ConvolveException e)
            {
                stderr.WriteLine($"error: {e.Message}");
                return Task.FromResult(e.ExitCode);
            }
        });
        return command;
    }

    private static TrainingResult Run(IdentityDataset train, IdentityDataset val, TrainingOptions options, string outDir, string? resume, bool quiet, TextWriter stderr, CancellationToken ct)
    {
        var warn = (string m) => stderr.WriteLine($"warning: {m}");
        if (quiet)
            return SimilarityTrainer.Train(train, val, options, outDir, new TrainingCallbacks { Warning = warn }, resume, ct);

        TrainingResult? result = null;
        AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                ProgressTask? task = null;
                var callbacks = new TrainingCallbacks
                {
                    Warning = warn,
                    EpochStarting = (epoch, steps) => task = ctx.AddTask($"epoch {epoch + 1}/{options.Epochs}", maxValue: Math.Max(1, steps)),
                    Step = s =>
                    {
                        task?.Increment(1);
                        if (task is null) return;
                        task.Description = $"epoch {s.Epoch + 1}/{options.Epochs}  loss {s.Loss:F4}  active {s.ActiveFraction:P0}  d(A,P) {s.MeanPositiveDistance:F3}  d(A,N) {s.MeanNegativeDistance:F3}";
                    },
                    Epoch = e =>
                    {
                        if (task != null) { task.Value = task.MaxValue; task.StopTask(); }
                        task = null;
                        var v = e.Validation;
                        AnsiConsole.MarkupLine($"epoch {e.Epoch + 1}: loss {e.MeanLoss:F4}, active {e.MeanActiveFraction:P0}, " +
                            (v is null ? "" : $"validation AUC {v.Auc:F3}, EER {v.Eer:P1}, accuracy {v.BestAccuracy:P1}, ") +
                            $"{e.SamplesPerSecond:F0} samples/s{(e.IsBest ? " [green](best)[/]" : "")}");
                    },
                };
                result = SimilarityTrainer.Train(train, val, options, outDir, callbacks, resume, ct);
            });
        return result!;
    }

    private static object Summary(TrainingResult r) => new
    {
        epochs = r.Epochs.Count,
        cancelled = r.Cancelled,
        validation = Metrics(r.FinalValidation, r.Model.Head is null),
        best = Metrics(r.BestValidation, r.Model.Head is null),
        samplesPerSecond = Math.Round(r.SamplesPerSecond, 1),
        lastCheckpoint = r.LastCheckpoint,
        bestCheckpoint = r.BestCheckpoint,
    };

    // threshold is on the score (−squared distance, or the head's logit); distanceThreshold is the euclidean distance it means.
    private static object? Metrics(VerificationMetrics? m, bool byDistance) => m is null ? null : new
    {
        auc = m.Auc, eer = m.Eer, accuracy = m.BestAccuracy, threshold = m.BestThreshold,
        distanceThreshold = byDistance ? Math.Sqrt(Math.Max(0, -m.BestThreshold)) : (double?)null, pairs = m.Pairs,
    };

    private static void Report(TrainingResult r)
    {
        if (r.Cancelled) AnsiConsole.MarkupLine($"[yellow]Stopped.[/] Checkpoint saved in {Markup.Escape(r.LastCheckpoint ?? "-")}; continue with --resume.");
        var m = r.FinalValidation;
        if (m != null) AnsiConsole.MarkupLine($"Final validation: AUC {m.Auc:F3}, EER {m.Eer:P1}, accuracy {m.BestAccuracy:P1} at threshold {m.BestThreshold:G4}" +
            (r.Model.Head is null ? $" (euclidean distance {Math.Sqrt(Math.Max(0, -m.BestThreshold)):F4})" : "") + $" ({m.Pairs} pairs).");
        if (r.BestCheckpoint != null) AnsiConsole.MarkupLine($"Best checkpoint: {Markup.Escape(r.BestCheckpoint)}");
    }

    private static int Usage(TextWriter stderr, string message)
    {
        stderr.WriteLine($"error: {message}");
        return 2;
    }

    /// <summary>Parses "8x4", "8×4" or "8*4".</summary>
    internal static bool TryParseBatch(string text, out int p, out int k)
    {
        p = k = 0;
        var parts = text.Split(new[] { 'x', 'X', '×', '*' });
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out p)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out k)
            && p >= 2 && k >= 2;
    }
}
