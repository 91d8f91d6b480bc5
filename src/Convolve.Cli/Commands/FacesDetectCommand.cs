using System.CommandLine;
using Convolve.Cli.Infrastructure;
using Spectre.Console;
using Convolve.Faces;
using Convolve.Faces.Landmarks;
using Convolve.Imaging;

namespace Convolve.Cli.Commands;

/// <summary><c>convolve faces detect IMAGE...</c>: every face with its box, score and 68 landmarks.</summary>
public static class FacesDetectCommand
{
    /// <summary>The <c>faces detect</c> command.</summary>
    public static Command Create()
    {
        var inputs = new Argument<string[]>("images") { Description = "Image files, folders or globs (e.g. 'photos/**/*.jpg').", Arity = ArgumentArity.OneOrMore };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Take the images in subfolders too." };
        var annotate = new Option<string?>("--annotate") { Description = "Write a PNG per image with boxes, landmarks and scores drawn into this folder.", HelpName = "dir" };
        var pipeline = new FacePipelineOptions(encodes: false);
        var command = new Command("detect", "Find every face: box [x, y, w, h], detection score and 68 landmarks. Faces are numbered from 0 by score.")
        {
            inputs, recursive, annotate,
        };
        pipeline.AddTo(command);
        command.SetConvolveAction(ctx => Run(ctx, pipeline, ctx.Parse.GetValue(inputs)!, ctx.Parse.GetValue(recursive), ctx.Parse.GetValue(annotate)));
        return command;
    }

    private sealed record Detected(int Width, int Height, IReadOnlyList<DetectedFace> Faces, string? Annotated);

    private static int Run(CliContext ctx, FacePipelineOptions pipeline, string[] inputs, bool recursive, string? annotateDir)
    {
        var files = ImageInputs.Expand(inputs, recursive);
        var analyzer = pipeline.Load(ctx);
        var annotations = annotateDir is null ? null : new AnnotationFolder(annotateDir);
        var result = BatchRunner.Run(ctx, files, (file, _) =>
        {
            RgbImage image = ImageDecoder.Load(file);
            IReadOnlyList<DetectedFace> faces = analyzer.Detect(image);
            string? annotated = annotations?.Save(FaceAnnotation.DrawDetections(image, faces), file);
            return new Detected(image.Width, image.Height, faces, annotated);
        }, "Detecting faces");

        ctx.Result(
            new
            {
                images = result.Done.Select(d => new
                {
                    file = d.Path,
                    width = d.Result.Width,
                    height = d.Result.Height,
                    faces = d.Result.Faces.Select(f => new
                    {
                        box = FaceJson.Box(f.Box),
                        score = FaceJson.Round(f.Score),
                        pose = FaceJson.Pose(HeadPose.FromLandmarks(f.Landmarks)),
                        landmarks = f.Landmarks.Points.Select(p => new[] { FaceJson.Round(p.X), FaceJson.Round(p.Y) }),
                    }),
                    annotated = d.Result.Annotated,
                }),
                failed = result.Failed.Select(f => new { path = f.Path, error = f.Error }),
                summary = result.Summary,
            },
            console =>
            {
                foreach (var d in result.Done)
                {
                    int n = d.Result.Faces.Count;
                    console.WriteLine($"{d.Path}\t{d.Result.Width}x{d.Result.Height}\t{n} face{(n == 1 ? "" : "s")}" +
                        (d.Result.Annotated is { } a ? $"\t→ {a}" : ""));
                    for (int i = 0; i < n; i++)
                        console.WriteLine(FormattableString.Invariant($"  #{i}\t{FaceJson.Text(d.Result.Faces[i].Box)}\tscore {d.Result.Faces[i].Score:0.000}\t{FaceJson.PoseText(HeadPose.FromLandmarks(d.Result.Faces[i].Landmarks))}"));
                }
            });
        return (int)result.ExitCode;
    }
}
