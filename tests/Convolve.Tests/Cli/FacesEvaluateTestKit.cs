using System.CommandLine;
using Convolve.Cli.Commands;
using Convolve.Cli.Infrastructure;
using Convolve.Faces;
using Convolve.Faces.Evaluation;
using Convolve.Imaging;
using Convolve.Tests.Faces;

namespace Convolve.Tests.Cli;

/// <summary>
/// A <c>convolve faces evaluate|calibrate</c> command tree whose analyzers are loaded once per test class (the CLI
/// would load them on every run), and records which pipeline options each run asked for.
/// </summary>
public sealed class FacesEvaluateCli : IDisposable
{
    private readonly FaceAnalyzerFixture _analyzers = new();

    /// <summary>The options each run asked the analyzer source for, in order.</summary>
    public List<FaceAnalyzerOptions> Requested { get; } = [];

    /// <summary>The analyzer for <paramref name="options"/> (default when null); skips when the models are absent.</summary>
    public FaceAnalyzer Analyzer(FaceAnalyzerOptions? options = null) => _analyzers.Get(options);

    /// <summary>Runs <c>convolve faces ...</c> with <paramref name="args"/> (after "faces").</summary>
    internal CliOutcome Run(params string[] args) => Run(CancellationToken.None, args);

    /// <summary>Runs <c>convolve faces ...</c> with a cancellation token (Ctrl-C).</summary>
    internal CliOutcome Run(CancellationToken cancellation, params string[] args)
    {
        FaceAnalyzer Source(FaceAnalyzerOptions options)
        {
            lock (Requested) Requested.Add(options);
            return _analyzers.Get(options with { Models = null });
        }
        var root = new Command("convolve");
        foreach (var option in GlobalOptions.Create()) root.Options.Add(option);
        var faces = new Command("faces");
        faces.Subcommands.Add(FacesEvaluateCommand.Create(Source));
        faces.Subcommands.Add(FacesCalibrateCommand.Create(Source));
        root.Subcommands.Add(faces);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Convolve.Cli.Program.Run(root, ["faces", .. args], stdout, stderr, cancellation);
        return new CliOutcome(code, stdout.ToString(), stderr.ToString());
    }

    public void Dispose() => _analyzers.Dispose();
}

/// <summary>Small LFW samples copied into a temporary LFW-layout folder, and an encoding computed without the evaluation library.</summary>
internal static class LfwSample
{
    public static string Root => SharedData.Require("data/lfw-view1");

    /// <summary>Pair lines of a shared pair file: the first <paramref name="same"/> same and first <paramref name="different"/> different pairs.</summary>
    public static (List<string> Same, List<string> Different) PairLines(string file, int same, int different)
    {
        string[] lines = File.ReadAllLines(Path.Combine(Root, file));
        int n = int.Parse(lines[0].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        return (lines.Skip(1).Take(same).ToList(), lines.Skip(1 + n).Take(different).ToList());
    }

    /// <summary>The (name, number) images a pair line names.</summary>
    public static IEnumerable<(string Name, int Index)> Images(string line)
    {
        string[] f = line.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
        return f.Length == 3
            ? [(f[0], int.Parse(f[1])), (f[0], int.Parse(f[2]))]
            : [(f[0], int.Parse(f[1])), (f[2], int.Parse(f[3]))];
    }

    /// <summary>Copies an LFW image into <paramref name="dir"/> in LFW layout; returns the copy's path.</summary>
    public static string Copy(string dir, string name, int index)
    {
        string target = LfwLayout.ImagePath(dir, name, index);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(LfwLayout.ImagePath(Path.Combine(Root, "images"), name, index), target, overwrite: true);
        return target;
    }

    /// <summary>A uniform grey 250×250 JPEG: no face for the detector to find.</summary>
    public static byte[] GreyJpeg() => ImageEncoder.Encode(new RgbImage(250, 250, Enumerable.Repeat((byte)128, 250 * 250 * 3).ToArray()), ImageFormat.Jpeg);

    /// <summary>
    /// The encoding of an aligned face image through the analyzer's public API (not the evaluation library): the
    /// detected face nearest the image centre, else landmarks in the centred half-size box. Also whether a face was detected.
    /// </summary>
    public static (float[] Encoding, bool Detected) Encode(FaceAnalyzer analyzer, string path)
    {
        RgbImage image = ImageDecoder.Load(path);
        IReadOnlyList<DetectedFace> faces = analyzer.Detect(image);
        DetectedFace face = faces.Count > 0
            ? faces.MinBy(f => Math.Pow(f.Box.Center.X - image.Width / 2.0, 2) + Math.Pow(f.Box.Center.Y - image.Height / 2.0, 2))!
            : analyzer.FaceIn(image, new FaceBox(image.Width / 4f, image.Height / 4f, image.Width / 2f, image.Height / 2f))!;
        return (analyzer.Encode(image, [face])[0], faces.Count > 0);
    }
}
