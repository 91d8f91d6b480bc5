using System.CommandLine;
using System.Globalization;
using Convolve.Cli.Infrastructure;
using Convolve.Faces;
using Convolve.Faces.Evaluation;
using Spectre.Console;

namespace Convolve.Cli.Commands;

/// <summary>
/// <c>convolve faces evaluate</c>: verification accuracy on LFW-format pair files (the LFW protocol, ROC AUC, EER,
/// TAR at FAR, the best threshold, plots), or open-set identification on folder-per-identity trees (<c>--open-set</c>).
/// </summary>
public static class FacesEvaluateCommand
{
    /// <summary>The command, loading the face networks for each run.</summary>
    public static Command Create() => Create(null);

    /// <summary>The command, taking its analyzer from <paramref name="analyzers"/> when given (see <see cref="FaceAnalyzerSource"/>).</summary>
    public static Command Create(FaceAnalyzerSource? analyzers)
    {
        var pairs = new Option<string?>("--pairs") { Description = "LFW-format pair file: View 1 (a count line, e.g. pairsDevTest.txt) or View 2 (a 'folds count' line, pairs.txt).", HelpName = "file" };
        var images = new Option<string?>("--images") { Description = "Image folder in LFW layout: <dir>/<name>/<name>_0001.jpg.", HelpName = "dir" };
        var trainPairs = new Option<string?>("--train-pairs")
        {
            Description = "For a single-split file: choose the threshold on these pairs (e.g. pairsDevTrain.txt) and measure accuracy on --pairs. Without it a single-split file is cross-validated in 10 folds.",
            HelpName = "file",
        };
        var plot = new Option<string?>("--plot") { Description = "Write roc.png and distances.png (the two distance histograms with the threshold) into this folder.", HelpName = "dir" };
        var openSet = new Option<bool>("--open-set") { Description = "Open-set identification: enroll --gallery-dir, search --probe-dir (probes may be people not enrolled)." };
        var galleryDir = new Option<string?>("--gallery-dir") { Description = "With --open-set: one subfolder of images per enrolled identity.", HelpName = "dir" };
        var probeDir = new Option<string?>("--probe-dir") { Description = "With --open-set: one subfolder of images per identity (folders not in the gallery are unknown people).", HelpName = "dir" };
        var threshold = new Option<double?>("--threshold") { Description = "With --open-set: the operating threshold (default: the library's default for the chosen alignment and flip).", HelpName = "distance" };
        var perPair = new Option<bool>("--per-pair") { Description = "With --json: also list every pair with its distance and fold, and every image with whether a face was detected." };
        var pipeline = new FaceAnalyzerCliOptions();

        var command = new Command("evaluate",
            "Measure face matching: accuracy by the LFW protocol, ROC AUC, EER, TAR at FAR 0.001 and 0.01 and the best threshold on LFW-format pair files; " +
            "or, with --open-set, rank-1 accuracy, DIR at FAR and the false-alarm rate on folder-per-identity trees.")
        {
            pairs, images, trainPairs, plot, perPair, openSet, galleryDir, probeDir, threshold,
        };
        pipeline.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetValue(openSet))
            {
                if (result.GetValue(galleryDir) is null || result.GetValue(probeDir) is null) result.AddError("--open-set needs --gallery-dir and --probe-dir.");
                if (result.GetValue(pairs) is not null || result.GetValue(trainPairs) is not null) result.AddError("--pairs and --train-pairs do not apply with --open-set.");
                if (result.GetValue(perPair) || result.GetValue(plot) is not null) result.AddError("--per-pair and --plot apply to pair evaluation.");
            }
            else
            {
                if (result.GetValue(pairs) is null || result.GetValue(images) is null) result.AddError("Give --pairs and --images (or --open-set with --gallery-dir and --probe-dir).");
                if (result.GetValue(galleryDir) is not null || result.GetValue(probeDir) is not null) result.AddError("--gallery-dir and --probe-dir need --open-set.");
                if (result.GetValue(threshold) is not null) result.AddError("--threshold applies to --open-set (pair evaluation chooses its threshold by the protocol).");
            }
        });
        command.SetConvolveAction(ctx => ctx.Parse.GetValue(openSet)
            ? OpenSet(ctx, analyzers, pipeline, ctx.Parse.GetValue(galleryDir)!, ctx.Parse.GetValue(probeDir)!, ctx.Parse.GetValue(threshold))
            : Pairs(ctx, analyzers, pipeline, ctx.Parse.GetValue(pairs)!, ctx.Parse.GetValue(images)!, ctx.Parse.GetValue(trainPairs), ctx.Parse.GetValue(plot), ctx.Parse.GetValue(perPair)));
        return command;
    }

    private static int Pairs(CliContext ctx, FaceAnalyzerSource? analyzers, FaceAnalyzerCliOptions pipeline, string pairsPath, string imagesDir, string? trainPath, string? plotDir, bool perPair)
    {
        PairFile test = PairFileParser.Parse(pairsPath);
        PairFile? training = trainPath is null ? null : PairFileParser.Parse(trainPath);
        if (training is not null && test.Kind == PairFileKind.TenFold)
            throw new InvalidInputException(pairsPath, "is a 10-fold (View 2) file: its folds give the protocol, so --train-pairs does not apply");
        if (!Directory.Exists(imagesDir)) throw new InvalidInputException(imagesDir, "image folder not found");
        int distinct = new[] { test }.Concat(training is null ? [] : [training])
            .SelectMany(f => f.DistinctImages()).Distinct().Count();

        PairRunResult run = pipeline.With(ctx, analyzers, analyzer => EncodingProgress.Run(ctx, distinct,
            progress => FacePairEvaluation.Run(analyzer, test, imagesDir, training, progress: progress, cancellation: ctx.Cancellation, location: pipeline.Location(ctx))));
        EvaluationReport report = perPair ? FacePairEvaluation.WithDetails(run, imagesDir) : run.Report;
        foreach (ImageFailure f in report.Failed) ctx.Note($"skipped {f.Path}: {f.Error}");
        IReadOnlyList<string> plots = plotDir is null ? [] : EvaluationPlots.WriteAll(plotDir, report);
        foreach (string p in plots) ctx.Note($"wrote {p}");

        if (ctx.Json) ctx.Out.WriteLine(report.ToJson());
        else WritePairs(ctx.Console, report);
        return report.Failed.Count > 0 ? (int)ExitCode.BadInput : (int)ExitCode.Done;
    }

    private static int OpenSet(CliContext ctx, FaceAnalyzerSource? analyzers, FaceAnalyzerCliOptions pipeline, string galleryDir, string probeDir, double? threshold)
    {
        int distinct = IdentityFolders.Read(galleryDir).Concat(IdentityFolders.Read(probeDir)).SelectMany(i => i.Images).Distinct().Count();
        OpenSetRunResult run = pipeline.With(ctx, analyzers, analyzer => EncodingProgress.Run(ctx, distinct,
            progress => FaceOpenSetEvaluation.Run(analyzer, galleryDir, probeDir, threshold ?? analyzer.DefaultThreshold,
                progress: progress, cancellation: ctx.Cancellation, location: pipeline.Location(ctx))));
        OpenSetReport report = run.Report;
        foreach (ImageFailure f in report.Failed) ctx.Note($"skipped {f.Path}: {f.Error}");
        if (ctx.Json) ctx.Out.WriteLine(report.ToJson());
        else WriteOpenSet(ctx.Console, report);
        return report.Failed.Count > 0 ? (int)ExitCode.BadInput : (int)ExitCode.Done;
    }

    private static void WritePairs(IAnsiConsole console, EvaluationReport r)
    {
        var table = new Table().AddColumn("metric").AddColumn("value");
        table.AddRow("pairs", Num(r.Pairs));
        table.AddRow("accuracy", r.AccuracyStd is { } std ? $"{Pct(r.Accuracy)} ± {Pct(std)}" : Pct(r.Accuracy));
        table.AddRow("ROC AUC", F(r.Auc, "F4"));
        table.AddRow("EER", Pct(r.Eer));
        foreach (var (far, tar) in r.TarAtFar) table.AddRow($"TAR at FAR {far}", tar is { } t ? Pct(t) : "n/a (too few different pairs)");
        table.AddRow("threshold (best accuracy)", F(r.Threshold, "F4"));
        table.AddRow("undetected images", Num(r.Undetected));
        if (r.SkippedPairs > 0) table.AddRow("pairs left out (unreadable image)", Num(r.SkippedPairs));
        console.Write(table);
        console.WriteLine($"Protocol: {r.Protocol}.");
        if (r.Undetected > 0) console.WriteLine($"Images without a detected face: {r.UndetectedHandling}.");
        if (r.Model is not null) console.WriteLine($"Model: {r.Model}.");
        foreach (string note in r.Notes) console.WriteLine($"Note: {note}.");
    }

    private static void WriteOpenSet(IAnsiConsole console, OpenSetReport r)
    {
        var table = new Table().AddColumn("metric").AddColumn("value");
        table.AddRow("gallery", $"{r.GalleryIdentities} identities, {r.GalleryImages} images");
        table.AddRow("probes", $"{r.Probes} ({r.KnownProbes} known, {r.UnknownProbes} unknown)");
        table.AddRow("rank-1 accuracy (known probes)", Pct(r.Rank1));
        table.AddRow("threshold", F(r.Threshold, "F4"));
        table.AddRow("DIR at the threshold", Pct(r.DetectionAndIdentificationRate));
        table.AddRow("false-alarm rate (unknown probes accepted)", Pct(r.FalseAlarmRate));
        table.AddRow("misidentified known probes", Num(r.Misidentified));
        foreach (var (far, dir) in r.DirAtFar) table.AddRow($"DIR at FAR {far}", dir is { } d ? Pct(d) : "n/a (too few unknown probes)");
        table.AddRow("undetected images", Num(r.Undetected));
        console.Write(table);
        if (r.Undetected > 0) console.WriteLine($"Images without a detected face: {r.UndetectedHandling}.");
        if (r.Model is not null) console.WriteLine($"Model: {r.Model}.");
        foreach (string note in r.Notes) console.WriteLine($"Note: {note}.");
    }

    private static string Pct(double v) => double.IsNaN(v) ? "n/a" : v.ToString("P2", CultureInfo.InvariantCulture);
    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
    private static string Num(int v) => v.ToString(CultureInfo.InvariantCulture);
}


/// <summary>
/// Hands a command the <see cref="FaceAnalyzer"/> for some options. The default loads one per run and disposes it;
/// tests and hosts that already hold loaded analyzers pass their own (the command then does not dispose it).
/// </summary>
public delegate FaceAnalyzer FaceAnalyzerSource(FaceAnalyzerOptions options);

/// <summary>The pipeline options the evaluation commands share: <c>--flip</c>, <c>--align</c>, <c>--detector</c>.</summary>
internal sealed class FaceAnalyzerCliOptions
{
    public Option<bool> Flip { get; } = new("--flip")
    {
        Description = "Test-time flip augmentation: average each encoding with the encoding of the mirrored face.",
    };

    public Option<string> Align { get; } = new("--align")
    {
        Description = "How faces are cut out: 'landmarks' (similarity-aligned from five landmarks, the default) or 'faceapi' (face-api's axis-aligned crop).",
        DefaultValueFactory = _ => FaceAnalyzer.DefaultAlignment == FaceAlignment.Landmarks ? "landmarks" : "faceapi",
    };

    public Option<string> Detector { get; } = new("--detector")
    {
        Description = "Face detector: 'ssd' (SSD MobileNetV1, the default) or 'tiny' (faster, large frontal faces).",
        DefaultValueFactory = _ => "ssd",
    };

    public Option<string?> Model { get; } = ModelOption.Create();

    public Option<bool> Centred { get; } = new("--centred")
    {
        Description = "The images are face-centred crops such as LFW's: skip the detector and find the landmarks in the centred box (faster, and more accurate on LFW: docs/accuracy.md).",
    };

    public FaceAnalyzerCliOptions()
    {
        Align.AcceptOnlyFromAmong("faceapi", "landmarks");
        Detector.AcceptOnlyFromAmong("ssd", "tiny");
    }

    public void AddTo(Command command)
    {
        command.Options.Add(Flip);
        command.Options.Add(Align);
        command.Options.Add(Detector);
        command.Options.Add(Model);
        command.Options.Add(Centred);
    }

    /// <summary>How each dataset image's face is found (<c>--centred</c>).</summary>
    public FaceLocation Location(CliContext ctx) => ctx.Parse.GetValue(Centred) ? FaceLocation.CentreBox : FaceLocation.Detect;

    public FaceAnalyzerOptions Read(CliContext ctx) => new()
    {
        Flip = ctx.Parse.GetValue(Flip),
        Alignment = ctx.Parse.GetValue(Align) == "landmarks" ? FaceAlignment.Landmarks : FaceAlignment.FaceApiCrop,
        Detector = ctx.Parse.GetValue(Detector) == "tiny" ? FaceDetectorKind.Tiny : FaceDetectorKind.Ssd,
        Model = ModelOption.Read(ctx, Model),
        Models = ctx.Models,
    };

    /// <summary>Runs <paramref name="work"/> with the analyzer for the command line's options (loaded here unless <paramref name="source"/> gives one).</summary>
    public T With<T>(CliContext ctx, FaceAnalyzerSource? source, Func<FaceAnalyzer, T> work)
    {
        FaceAnalyzerOptions options = Read(ctx);
        if (source is not null) return work(source(options));
        using var analyzer = FaceAnalyzer.Load(options);
        return work(analyzer);
    }
}

/// <summary>Progress over the images an evaluation encodes: a bar on an interactive terminal, a closing line on stderr.</summary>
internal static class EncodingProgress
{
    public static T Run<T>(CliContext ctx, int images, Func<Action<Faces.Evaluation.EvaluationImage>?, T> work)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        T result = default!;
        if (ctx.ShowProgress && images > 1)
        {
            ctx.ErrorConsole.Progress().AutoClear(true)
                .Columns(new Spectre.Console.TaskDescriptionColumn(), new Spectre.Console.ProgressBarColumn(),
                    new Spectre.Console.PercentageColumn(), new Spectre.Console.RemainingTimeColumn())
                .Start(progress =>
                {
                    var task = progress.AddTask("Encoding faces", maxValue: images);
                    result = work(_ => task.Increment(1));
                });
        }
        else result = work(null);
        ctx.Note($"Encoded {images} image{(images == 1 ? "" : "s")} in {clock.Elapsed.TotalSeconds:F1} s.");
        return result;
    }
}
