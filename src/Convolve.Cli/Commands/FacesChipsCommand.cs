using System.CommandLine;
using System.Globalization;
using Convolve.Cli.Infrastructure;
using Convolve.Faces;
using Convolve.Faces.Evaluation;
using Convolve.Faces.Training;
using Spectre.Console;

namespace Convolve.Cli.Commands;

/// <summary>
/// <c>convolve faces chips --images DIR --out DIR</c>: cuts one 150×150 face chip per image of an identity tree, exactly
/// as the encoder sees faces, as training data for <c>convolve train --finetune face</c> (<see cref="FaceChipExtractor"/>).
/// </summary>
public static class FacesChipsCommand
{
    /// <summary>The <c>faces chips</c> command.</summary>
    public static Command Create()
    {
        var images = new Option<string>("--images") { Description = "Identity tree: <dir>/<identity>/<image>.", HelpName = "dir", Required = true };
        var output = new Option<string>("--out") { Description = "Where to write <out>/<identity>/<name>.png (150×150 chips).", HelpName = "dir", Required = true };
        var threads = new Option<int?>("--threads") { Description = "Images processed at once (default 1).", HelpName = "n" };
        var centred = new Option<bool>("--centred")
        {
            Description = "The images are face-centred crops such as LFW's: skip the detector and find the landmarks in the centred box (faster; more accurate on LFW).",
        };
        var pipeline = new FacePipelineOptions(encodes: true);
        var command = new Command("chips",
            "Cut a 150×150 face chip from every image of an identity tree, as the encoder cuts faces (--align), for fine-tuning " +
            "(convolve train --finetune face). The face nearest the image centre is taken; when none is detected, the centred " +
            "half-size box is used and counted as undetected. Unreadable images are reported and skipped.")
        {
            images, output, threads, centred,
        };
        command.Options.Add(pipeline.Detector);
        command.Options.Add(pipeline.Align);
        command.Validators.Add(r =>
        {
            if (r.GetValue(threads) is < 1) r.AddError("--threads must be 1 or more");
        });
        command.SetConvolveAction(ctx =>
        {
            string imagesDir = ctx.Parse.GetValue(images)!, outDir = ctx.Parse.GetValue(output)!;
            if (Path.GetFullPath(imagesDir) == Path.GetFullPath(outDir))
                throw new InvalidInputException(outDir, "is the input folder; write the chips to another folder");
            int total = IdentityFolders.Read(imagesDir).Sum(i => i.Images.Count);
            FaceAnalyzer analyzer = pipeline.Load(ctx);
            var extractor = new FaceChipExtractor(analyzer, ctx.Parse.GetValue(centred) ? FaceLocation.CentreBox : FaceLocation.Detect);
            int n = ctx.Parse.GetValue(threads) ?? 1;
            FaceChipReport report = WithProgress(ctx, total,
                progress => extractor.ExtractAll(imagesDir, outDir, progress, ctx.Cancellation, n));
            foreach (ImageFailure f in report.Failed) ctx.Note($"skipped {f.Path}: {f.Error}");
            if (report.Canceled) ctx.Note($"canceled after {report.Chips + report.Failed.Count} of {report.Images} images");
            ctx.Result(report, console =>
            {
                var table = new Table().AddColumn("").AddColumn("count");
                table.AddRow("images", Num(report.Images));
                table.AddRow("chips written", Num(report.Chips));
                table.AddRow(extractor.Location == FaceLocation.CentreBox ? "centre box used (--centred)" : "undetected (centre box used)", Num(report.Undetected));
                table.AddRow("failed", Num(report.Failed.Count));
                console.Write(table);
                console.WriteLine($"Chips in {report.Output}, cut for {report.Model}.");
            });
            return (int)(report.Canceled ? ExitCode.Canceled : report.Failed.Count > 0 ? ExitCode.BadInput : ExitCode.Done);
        });
        return command;
    }

    private static FaceChipReport WithProgress(CliContext ctx, int images, Func<Action<FaceChipResult>?, FaceChipReport> work)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        FaceChipReport report = null!;
        if (ctx.ShowProgress && images > 1)
        {
            ctx.ErrorConsole.Progress().AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(progress =>
                {
                    var task = progress.AddTask("Cutting face chips", maxValue: images);
                    report = work(_ => task.Increment(1));
                });
        }
        else report = work(null);
        ctx.Note($"Processed {report.Chips + report.Failed.Count} image(s) in {clock.Elapsed.TotalSeconds:F1} s.");
        return report;
    }

    private static string Num(int v) => v.ToString(CultureInfo.InvariantCulture);
}
