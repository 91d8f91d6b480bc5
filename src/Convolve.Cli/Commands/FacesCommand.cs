using System.Collections.Concurrent;
using System.CommandLine;
using Convolve.Cli.Infrastructure;
using Convolve.Faces;

namespace Convolve.Cli.Commands;

/// <summary>
/// <c>convolve faces</c>: detect, verify, enroll, identify, and manage the gallery of enrolled people. Each command
/// is a thin shell over <see cref="FaceAnalyzer"/> and <see cref="Faces.Gallery.FaceGallery"/> (docs/faces.md).
/// </summary>
public static class FacesCommand
{
    /// <summary>The <c>faces</c> command group.</summary>
    public static Command Create()
    {
        var faces = new Command("faces", "Face detection, verification (same person?) and one-shot recognition (who is it?).");
        faces.Subcommands.Add(FacesDetectCommand.Create());
        faces.Subcommands.Add(FacesVerifyCommand.Create());
        faces.Subcommands.Add(FacesEnrollCommand.Create());
        faces.Subcommands.Add(FacesIdentifyCommand.Create());
        faces.Subcommands.Add(FacesGalleryCommand.Create());
        faces.Subcommands.Add(FacesEvaluateCommand.Create());
        faces.Subcommands.Add(FacesCalibrateCommand.Create());
        faces.Subcommands.Add(FacesChipsCommand.Create());
        faces.Subcommands.Add(FacesClusterCommand.Create());
        return faces;
    }
}

/// <summary>The options that choose the face pipeline (<see cref="FaceAnalyzerOptions"/>), shared by the face commands.</summary>
internal sealed class FacePipelineOptions
{
    private readonly bool _encodes;

    /// <summary>Creates the options; <paramref name="encodes"/> adds <c>--align</c> and <c>--flip</c>, which only matter when encodings are computed.</summary>
    public FacePipelineOptions(bool encodes)
    {
        _encodes = encodes;
        Detector.AcceptOnlyFromAmong("ssd", "tiny");
        Align.AcceptOnlyFromAmong("faceapi", "landmarks");
    }

    public Option<string> Detector { get; } = new("--detector")
    {
        Description = "Face detector: ssd (finds smaller and harder faces) or tiny (faster, large frontal faces).",
        DefaultValueFactory = _ => "ssd",
    };

    public Option<string> Align { get; } = new("--align")
    {
        Description = "How faces are cut out before encoding: faceapi (face-api's crop) or landmarks (rotation-corrected). " +
                      "Galleries record it: encodings of different settings are never mixed.",
        DefaultValueFactory = _ => FaceAnalyzer.DefaultAlignment == FaceAlignment.Landmarks ? "landmarks" : "faceapi",
    };

    public Option<bool> Flip { get; } = new("--flip")
    {
        Description = "Average each encoding with that of the mirrored face (test-time augmentation). Galleries record it.",
    };

    public Option<string?> Model { get; } = ModelOption.Create();

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Detector);
        if (!_encodes) return;
        command.Options.Add(Align);
        command.Options.Add(Flip);
        command.Options.Add(Model);
    }

    /// <summary>The analyzer options the command line asks for.</summary>
    public FaceAnalyzerOptions Read(CliContext ctx) => new()
    {
        Detector = ctx.Parse.GetValue(Detector) == "tiny" ? FaceDetectorKind.Tiny : FaceDetectorKind.Ssd,
        Alignment = _encodes && ctx.Parse.GetValue(Align) == "landmarks" ? FaceAlignment.Landmarks
            : _encodes ? FaceAlignment.FaceApiCrop : FaceAnalyzer.DefaultAlignment,
        Flip = _encodes && ctx.Parse.GetValue(Flip),
        Model = _encodes ? ModelOption.Read(ctx, Model) : null,
        Models = ctx.Models,
    };

    /// <summary>The analyzer for this command line (loaded once per process for each setting).</summary>
    public FaceAnalyzer Load(CliContext ctx) => AnalyzerCache.Get(Read(ctx), ctx.Parse.GetValue<string?>(GlobalOptions.ModelsName));
}

/// <summary>
/// The <c>--far F</c> option: the threshold for a false-accept rate, from the table measured on LFW for the pretrained
/// encodings (<see cref="FaceAnalyzer.ThresholdForFalseAcceptRate"/>). Exclusive with <c>--threshold</c>.
/// </summary>
internal static class FarOption
{
    public static Option<double?> Create() => new("--far")
    {
        Description = "Use the threshold that falsely accepts this fraction of different-person pairs (1e-6 to 1e-2; measured on LFW for the pretrained network). " +
                      "Against K enrolled people a stranger is wrongly named with probability of about K × far.",
        HelpName = "rate",
    };

    public static void Validate(System.CommandLine.Parsing.CommandResult r, Option<double?> far, Option<double?> threshold)
    {
        if (r.GetValue(far) is not { } f) return;
        if (r.GetValue(threshold) is not null) r.AddError("Give --threshold or --far, not both.");
        if (!(f >= 1e-6 && f <= 1e-2)) r.AddError("--far must lie between 1e-6 and 1e-2 (the range measured on LFW); for another rate, calibrate on your own pairs (convolve faces calibrate).");
    }
}

/// <summary>The <c>--model DIR</c> option: a <c>convolve train</c> checkpoint computes the encodings instead of the pretrained network.</summary>
internal static class ModelOption
{
    public static Option<string?> Create() => new("--model")
    {
        Description = "A 'convolve train' checkpoint folder (e.g. OUT/best: a fine-tuned face network or an image network trained from scratch) " +
                      "that computes the encodings instead of the pretrained network. Galleries record it: encodings of different models are never mixed.",
        HelpName = "dir",
    };

    /// <summary>The full path given, or null.</summary>
    public static string? Read(CliContext ctx, Option<string?> option) =>
        ctx.Parse.GetValue(option) is { } dir ? Path.GetFullPath(dir) : null;
}

/// <summary>
/// Loaded analyzers, kept for the life of the process. A <c>convolve</c> process runs one command, so this only saves
/// time for in-process callers that run many (the tests): loading the four networks costs about a second.
/// </summary>
internal static class AnalyzerCache
{
    private static readonly ConcurrentDictionary<(FaceAnalyzerOptions, string?), Lazy<FaceAnalyzer>> Loaded = new();

    public static FaceAnalyzer Get(FaceAnalyzerOptions options, string? modelsDirectory)
    {
        var key = (options with { Models = null }, modelsDirectory);
        var lazy = Loaded.GetOrAdd(key, _ => new Lazy<FaceAnalyzer>(() => FaceAnalyzer.Load(options)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            Loaded.TryRemove(key, out _); // a missing model may be installed before the next call
            throw;
        }
    }
}

/// <summary>Where the gallery of enrolled people lives, and the <c>--gallery</c> option that moves it.</summary>
internal static class GalleryLocation
{
    /// <summary><c>$XDG_DATA_HOME/convolve/gallery.db</c>, else <c>~/.local/share/convolve/gallery.db</c>.</summary>
    public static string DefaultPath
    {
        get
        {
            string? xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
            string data = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
            return Path.Combine(data, "convolve", "gallery.db");
        }
    }

    public static Option<string> CreateOption() => new("--gallery")
    {
        Description = "The gallery file of enrolled people (default: $XDG_DATA_HOME/convolve/gallery.db or ~/.local/share/convolve/gallery.db).",
        HelpName = "file",
        DefaultValueFactory = _ => DefaultPath,
    };

    /// <summary>Creates the gallery's folder (owner-only when new) so a first enrollment can create the file.</summary>
    public static void EnsureFolder(string galleryPath)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(galleryPath));
        if (dir is null || Directory.Exists(dir)) return;
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(dir);
        else Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}

/// <summary>JSON shapes shared by the face commands.</summary>
internal static class FaceJson
{
    public static float[] Box(FaceBox b) => [Round(b.X), Round(b.Y), Round(b.Width), Round(b.Height)];

    public static float Round(float v) => MathF.Round(v, 3);

    public static double Round(double v) => Math.Round(v, 6);

    public static string Text(FaceBox b) =>
        FormattableString.Invariant($"{b.X:0},{b.Y:0} {b.Width:0}x{b.Height:0}");

    public static object Pose(Convolve.Faces.Landmarks.HeadPose p) =>
        new { yaw = Math.Round(p.Yaw, 3), roll = Math.Round(p.RollDegrees, 2), eyeDistance = Math.Round(p.EyeDistancePixels, 1) };

    public static string PoseText(Convolve.Faces.Landmarks.HeadPose p) =>
        FormattableString.Invariant($"yaw {p.Yaw:+0.00;-0.00} roll {p.RollDegrees:+0.0;-0.0}°");
}

/// <summary>Writes annotated PNGs for <c>--annotate DIR</c>: one per input, named after it, never two with one name.</summary>
internal sealed class AnnotationFolder
{
    private readonly string _directory;
    private readonly HashSet<string> _used = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();

    public AnnotationFolder(string directory)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
    }

    /// <summary>Saves <paramref name="image"/> as <c>DIR/&lt;input name&gt;.png</c> (or <c>-2.png</c>, ... when taken); returns the path.</summary>
    public string Save(Convolve.Imaging.RgbImage image, string inputPath)
    {
        string stem = Path.GetFileNameWithoutExtension(inputPath);
        string name;
        lock (_gate)
        {
            name = stem + ".png";
            for (int k = 2; !_used.Add(name); k++) name = $"{stem}-{k}.png";
        }
        string path = Path.Combine(_directory, name);
        Convolve.Imaging.ImageEncoder.Save(image, path, Convolve.Imaging.ImageFormat.Png);
        return path;
    }
}
