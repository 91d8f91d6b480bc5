using System.CommandLine;
using System.Globalization;
using Convolve.Cli.Infrastructure;
using Convolve.Faces;
using Convolve.Faces.Evaluation;
using Convolve.Faces.Gallery;
using Spectre.Console;

namespace Convolve.Cli.Commands;

/// <summary>
/// <c>convolve faces calibrate</c>: the threshold that meets a target false-accept rate on the user's own labelled
/// pairs, with the TAR it gives, stored in a gallery so identify and verify use it from then on.
/// </summary>
public static class FacesCalibrateCommand
{
    /// <summary>The command, loading the face networks for each run.</summary>
    public static Command Create() => Create(null);

    /// <summary>The command, taking its analyzer from <paramref name="analyzers"/> when given (see <see cref="FaceAnalyzerSource"/>).</summary>
    public static Command Create(FaceAnalyzerSource? analyzers)
    {
        var pairs = new Option<string>("--pairs") { Description = "Your labelled pairs in LFW pair-file format (View 1 or View 2; folds are ignored).", HelpName = "file", Required = true };
        var images = new Option<string>("--images") { Description = "Image folder in LFW layout: <dir>/<name>/<name>_0001.jpg.", HelpName = "dir", Required = true };
        var far = new Option<double>("--far")
        {
            Description = "Target false-accept rate: the share of different-person pairs you accept as the same person (e.g. 0.001). Measuring it needs at least 1/far different-person pairs.",
            HelpName = "rate",
            Required = true,
        };
        var gallery = new Option<string?>("--gallery") { Description = "Store the threshold in this gallery (created if missing): identify and verify use it from then on. Without it the threshold is only reported.", HelpName = "file" };
        var pipeline = new FaceAnalyzerCliOptions();
        var command = new Command("calibrate",
            "Choose the distance threshold for a target false-accept rate on your own labelled pairs, report the true-accept rate it gives, and store it in a gallery.")
        {
            pairs, images, far, gallery,
        };
        pipeline.AddTo(command);
        far.Validators.Add(result =>
        {
            double value = result.GetValueOrDefault<double>();
            if (!(value > 0 && value < 1)) result.AddError($"--far must be between 0 and 1 (exclusive), got {value.ToString(CultureInfo.InvariantCulture)}.");
        });
        command.SetConvolveAction(ctx => Calibrate(ctx, analyzers, pipeline, ctx.Parse.GetValue(pairs)!, ctx.Parse.GetValue(images)!,
            ctx.Parse.GetValue(far), ctx.Parse.GetValue(gallery)));
        return command;
    }

    private static int Calibrate(CliContext ctx, FaceAnalyzerSource? analyzers, FaceAnalyzerCliOptions pipeline, string pairsPath, string imagesDir, double far, string? galleryPath)
    {
        PairFile file = PairFileParser.Parse(pairsPath);
        // Fail before the long encoding when the file alone cannot support the target.
        int needed = PairMetrics.MinimumNegatives(far);
        if (file.DifferentCount < needed) throw new NotEnoughPairsException(far, needed, file.DifferentCount);

        var (calibration, failed, model) = pipeline.With(ctx, analyzers, analyzer =>
        {
            // An existing gallery of another model is refused now, not after the long encoding.
            if (galleryPath is not null && File.Exists(galleryPath)) analyzer.OpenGallery(galleryPath, create: false).Dispose();
            var (encoded, failures) = EncodingProgress.Run(ctx, file.DistinctImages().Count,
                progress => FacePairEvaluation.EncodeImages(analyzer, [file], imagesDir, progress, ctx.Cancellation, location: pipeline.Location(ctx)));
            var (scored, _) = FacePairEvaluation.Distances(file, imagesDir, encoded);
            if (scored.All(p => p.Pair.Same) || scored.All(p => !p.Pair.Same))
                throw new InvalidInputException(pairsPath, $"calibration needs same-person and different-person pairs with readable images ({failures.Count} image(s) could not be read)");
            CalibratedThreshold result = ThresholdCalibration.Calibrate(scored, far, Path.GetFullPath(pairsPath));
            if (galleryPath is not null)
            {
                using FaceGallery g = analyzer.OpenGallery(galleryPath);
                g.SetCalibratedThreshold(result);
            }
            return (result, failures, analyzer.ModelId);
        });

        foreach (ImageFailure f in failed) ctx.Note($"skipped {f.Path}: {f.Error} (its pairs were left out)");
        ctx.Result(
            new
            {
                threshold = calibration.Threshold,
                farTarget = calibration.FarTarget,
                far = calibration.Far,
                tar = calibration.Tar,
                samePairs = calibration.SamePairs,
                differentPairs = calibration.DifferentPairs,
                gallery = galleryPath,
                stored = galleryPath is not null,
                model,
                failed = failed.Select(f => new { path = f.Path, error = f.Error }),
            },
            console =>
            {
                string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
                console.WriteLine(Inv($"Threshold {calibration.Threshold:F4}: accepts pairs closer than this distance."));
                console.WriteLine(Inv($"False-accept rate {calibration.Far:P3} (target {calibration.FarTarget}) on {calibration.DifferentPairs} different-person pairs."));
                console.WriteLine(Inv($"True-accept rate {calibration.Tar:P2} on {calibration.SamePairs} same-person pairs."));
                console.WriteLine(galleryPath is null
                    ? "Not stored (give --gallery FILE to store it for identify and verify)."
                    : $"Stored in {galleryPath}: identify and verify use it from now on.");
            });
        return failed.Count > 0 ? (int)ExitCode.BadInput : (int)ExitCode.Done;
    }
}
