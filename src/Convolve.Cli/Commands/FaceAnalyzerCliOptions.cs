using System.CommandLine;
using Convolve.Cli.Infrastructure;
using Convolve.Faces;
using Spectre.Console;

namespace Convolve.Cli.Commands;

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
        Description = "How faces are cut out: 'faceapi' (face-api's crop, the default) or 'landmarks' (similarity-aligned from five landmarks).",
        DefaultValueFactory = _ => FaceAnalyzer.DefaultAlignment == FaceAlignment.Landmarks ? "landmarks" : "faceapi",
    };

    public Option<string> Detector { get; } = new("--detector")
    {
        Description = "Face detector: 'ssd' (SSD MobileNetV1, the default) or 'tiny' (faster, large frontal faces).",
        DefaultValueFactory = _ => "ssd",
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
    }

    public FaceAnalyzerOptions Read(CliContext ctx) => new()
    {
        Flip = ctx.Parse.GetValue(Flip),
        Alignment = ctx.Parse.GetValue(Align) == "landmarks" ? FaceAlignment.Landmarks : FaceAlignment.FaceApiCrop,
        Detector = ctx.Parse.GetValue(Detector) == "tiny" ? FaceDetectorKind.Tiny : FaceDetectorKind.Ssd,
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
