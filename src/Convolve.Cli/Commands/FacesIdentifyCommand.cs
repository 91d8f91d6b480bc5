using System.CommandLine;
using System.Globalization;
using System.Text.Json.Serialization;
using Convolve.Cli.Infrastructure;
using Spectre.Console;
using Convolve.Faces;
using Convolve.Faces.Gallery;
using Convolve.Imaging;

namespace Convolve.Cli.Commands;

/// <summary><c>convolve faces identify IMAGE...</c>: who is each face, among the enrolled people (or unknown)?</summary>
public static class FacesIdentifyCommand
{
    /// <summary>The <c>faces identify</c> command.</summary>
    public static Command Create()
    {
        var inputs = new Argument<string[]>("images") { Description = "Image files, folders or globs.", Arity = ArgumentArity.OneOrMore };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Take the images in subfolders too." };
        var threshold = new Option<double?>("--threshold")
        {
            Description = "A face is the nearest enrolled person when closer than this (default: the gallery's calibrated threshold, else the model's default).",
            HelpName = "t",
        };
        var far = FarOption.Create();
        var top = new Option<int?>("--top")
        {
            Description = "Also list each face's K nearest enrolled people with their distances, nearest first (for reviewing near misses and look-alikes).",
            HelpName = "K",
        };
        var annotate = new Option<string?>("--annotate") { Description = "Write a PNG per image with boxes, landmarks, names and distances drawn into this folder.", HelpName = "dir" };
        var gallery = GalleryLocation.CreateOption();
        var pipeline = new FacePipelineOptions(encodes: true);
        var command = new Command("identify", "Name every face found: the nearest enrolled person when closer than the threshold, else unknown (name null).")
        {
            inputs, recursive, threshold, far, top, annotate, gallery,
        };
        pipeline.AddTo(command);
        command.Validators.Add(r =>
        {
            if (r.GetValue(threshold) is { } t && !(t > 0)) r.AddError("--threshold must be a positive number");
            FarOption.Validate(r, far, threshold);
            if (r.GetValue(top) is < 1 or > 100) r.AddError("--top must lie between 1 and 100");
        });
        command.SetConvolveAction(ctx =>
        {
            var files = ImageInputs.Expand(ctx.Parse.GetValue(inputs)!, ctx.Parse.GetValue(recursive));
            var analyzer = pipeline.Load(ctx);
            using FaceGallery g = analyzer.OpenGallery(ctx.Parse.GetValue(gallery)!, create: false);
            double tau = ctx.Parse.GetValue(threshold)
                ?? (ctx.Parse.GetValue(far) is { } rate ? analyzer.ThresholdForFalseAcceptRate(rate) : analyzer.ThresholdFor(g));
            if (ctx.Parse.GetValue(threshold) is null && ctx.Parse.GetValue(far) is null && g.CalibratedThreshold is null)
            {
                int people = g.ListIdentities().Count;
                if (people >= 10 && analyzer.StrangerMisnamedRate(people, tau) is { } risk && risk >= 0.05)
                    ctx.Note(FormattableString.Invariant(
                        $"note: {g.Path} holds {people} people and no calibrated threshold: at the default threshold {tau:0.####}, a face of someone not enrolled is named as one of them about {risk:P0} of the time (LFW estimate). Ask for fewer false accepts with --far (about {people} × the rate), or calibrate on your own pairs (convolve faces calibrate)."));
            }
            string annotateDir = ctx.Parse.GetValue(annotate) ?? "";
            var annotations = annotateDir.Length == 0 ? null : new AnnotationFolder(annotateDir);
            var result = BatchRunner.Run(ctx, files, (file, _) =>
            {
                RgbImage image = ImageDecoder.Load(file);
                IReadOnlyList<IdentifiedFace> faces = analyzer.Identify(image, g, tau, ctx.Parse.GetValue(top) ?? 0);
                string? annotated = annotations?.Save(FaceAnnotation.DrawIdentities(image, faces), file);
                return (Faces: faces, Annotated: annotated);
            }, "Identifying");
            ctx.Result(
                new
                {
                    gallery = g.Path,
                    threshold = tau,
                    images = result.Done.Select(d => new
                    {
                        file = d.Path,
                        faces = d.Result.Faces.Select(f => new FaceAnswer(FaceJson.Box(f.Face.Box), f.Name,
                            f.Distance is { } x ? FaceJson.Round(x) : null, f.NearestName,
                            f.Candidates.Count == 0 ? null : f.Candidates.Select(c => new CandidateAnswer(c.Identity, FaceJson.Round(c.Distance))).ToList())),
                        annotated = d.Result.Annotated,
                    }),
                    failed = result.Failed.Select(f => new { path = f.Path, error = f.Error }),
                    summary = result.Summary,
                },
                console =>
                {
                    foreach (var d in result.Done)
                    {
                        console.WriteLine($"{d.Path}\t{d.Result.Faces.Count} face(s)" + (d.Result.Annotated is { } a ? $"\t→ {a}" : ""));
                        foreach (var f in d.Result.Faces)
                        {
                            console.WriteLine(FormattableString.Invariant(
                                $"  {FaceJson.Text(f.Face.Box)}\t{f.Name ?? "unknown"}\t{(f.Distance is { } x ? x.ToString("0.0000", CultureInfo.InvariantCulture) : "-")}") +
                                (f.Name is null && f.NearestName is not null ? $"\t(nearest: {f.NearestName})" : ""));
                            if (f.Candidates.Count > 0)
                                console.WriteLine("    candidates: " + string.Join(", ", f.Candidates.Select(c => FormattableString.Invariant($"{c.Identity} {c.Distance:0.0000}"))));
                        }
                    }
                    console.WriteLine(FormattableString.Invariant($"threshold {tau:0.####}"));
                });
            return (int)result.ExitCode;
        });
        return command;
    }

    /// <summary>One face's answer; <c>name</c> is written as null for an unknown face (not left out).</summary>
    private sealed record FaceAnswer(
        float[] Box,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Name,
        double? Distance,
        string? Nearest,
        IReadOnlyList<CandidateAnswer>? Candidates);

    /// <summary>One of a face's nearest enrolled people (<c>--top</c>).</summary>
    private sealed record CandidateAnswer(string Name, double Distance);
}
