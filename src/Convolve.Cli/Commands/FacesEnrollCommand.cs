using System.CommandLine;
using Convolve.Cli.Infrastructure;
using Spectre.Console;
using Convolve.Faces.Gallery;
using Convolve.Imaging;

namespace Convolve.Cli.Commands;

/// <summary><c>convolve faces enroll NAME IMAGE...</c>: add a person to the gallery; one photo is enough (one-shot).</summary>
public static class FacesEnrollCommand
{
    /// <summary>The <c>faces enroll</c> command.</summary>
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "Who the photos show." };
        var inputs = new Argument<string[]>("images") { Description = "Photos of that person, one face each (files, folders or globs).", Arity = ArgumentArity.OneOrMore };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Take the images in subfolders too." };
        var face = new Option<int?>("--face")
        {
            Description = "Enroll face N (0 = highest detection score) of photos holding several faces; without it such photos are refused.",
            HelpName = "n",
        };
        var gallery = GalleryLocation.CreateOption();
        var pipeline = new FacePipelineOptions(encodes: true);
        var command = new Command("enroll",
            "Enroll NAME from each photo (created if the gallery does not exist). A photo with no face, or several faces without --face, is refused and reported.")
        {
            name, inputs, recursive, face, gallery,
        };
        pipeline.AddTo(command);
        command.Validators.Add(r =>
        {
            if (string.IsNullOrWhiteSpace(r.GetValue(name))) r.AddError("NAME must not be empty");
            if (r.GetValue(face) is < 0) r.AddError("--face must be 0 or more");
        });
        command.SetConvolveAction(ctx =>
        {
            var files = ImageInputs.Expand(ctx.Parse.GetValue(inputs)!, ctx.Parse.GetValue(recursive));
            var analyzer = pipeline.Load(ctx);
            string path = ctx.Parse.GetValue(gallery)!;
            GalleryLocation.EnsureFolder(path);
            using FaceGallery g = analyzer.OpenGallery(path);
            string identity = ctx.Parse.GetValue(name)!.Trim();
            int? faceIndex = ctx.Parse.GetValue(face);
            var result = BatchRunner.Run(ctx, files,
                (file, _) => analyzer.Enroll(g, identity, ImageDecoder.Load(file), faceIndex), "Enrolling");
            ctx.Result(
                new
                {
                    gallery = g.Path,
                    identity,
                    enrolled = result.Done.Select(d => new { file = d.Path, id = d.Result.Entry.Id, pose = FaceJson.Pose(d.Result.Pose), warnings = d.Result.Warnings }),
                    facesOfIdentity = g.Entries(identity).Count,
                    failed = result.Failed.Select(f => new { path = f.Path, error = f.Error }),
                    summary = result.Summary,
                },
                console =>
                {
                    foreach (var d in result.Done) console.WriteLine($"{d.Path}\tenrolled as {identity}");
                    foreach (var d in result.Done)
                        foreach (string warning in d.Result.Warnings) ctx.Note($"warning: {d.Path}: {warning}");
                    console.WriteLine($"{identity}: {g.Entries(identity).Count} face(s) in {g.Path}");
                });
            return (int)result.ExitCode;
        });
        return command;
    }
}
