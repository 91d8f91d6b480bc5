using System.CommandLine;
using Convolve.Cli.Infrastructure;
using Spectre.Console;
using Convolve.Faces.Gallery;
using Convolve.Imaging;

namespace Convolve.Cli.Commands;

/// <summary>
/// <c>convolve faces enroll NAME IMAGE...</c>: add a person to the gallery; one photo is enough (one-shot).
/// <c>convolve faces enroll --people DIR</c>: everyone in a folder (<see cref="PeopleFolder"/>).
/// </summary>
public static class FacesEnrollCommand
{
    /// <summary>The <c>faces enroll</c> command.</summary>
    public static Command Create()
    {
        var name = new Argument<string?>("name") { Description = "Who the photos show.", Arity = ArgumentArity.ZeroOrOne };
        var inputs = new Argument<string[]>("images") { Description = "Photos of that person, one face each (files, folders or globs).", Arity = ArgumentArity.ZeroOrMore };
        var people = new Option<string?>("--people")
        {
            Description = "Enroll everyone in this folder instead of NAME IMAGE...: a subfolder of photos per person (people/Ada/1.jpg) " +
                          "and/or photos named after the person (people/Bob.jpg).",
            HelpName = "dir",
        };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Take the images in subfolders too." };
        var face = new Option<int?>("--face")
        {
            Description = "Enroll face N (0 = highest detection score) of photos holding several faces; without it such photos are refused.",
            HelpName = "n",
        };
        var gallery = GalleryLocation.CreateOption();
        var pipeline = new FacePipelineOptions(encodes: true);
        var command = new Command("enroll",
            "Enroll NAME from each photo, or everyone in a folder with --people (the gallery is created if it does not exist). " +
            "A photo with no face, or several faces without --face, is refused and reported; the others are enrolled.")
        {
            name, inputs, recursive, face, gallery, people,
        };
        pipeline.AddTo(command);
        command.Validators.Add(r =>
        {
            bool folder = r.GetValue(people) is not null;
            if (folder && (r.GetValue(name) is not null || r.GetValue(inputs) is { Length: > 0 })) r.AddError("Give NAME IMAGE... or --people DIR, not both.");
            if (!folder && string.IsNullOrWhiteSpace(r.GetValue(name))) r.AddError("NAME must not be empty (or enroll a folder of people with --people DIR)");
            if (!folder && r.GetValue(inputs) is not { Length: > 0 }) r.AddError("Give at least one IMAGE of NAME.");
            if (r.GetValue(face) is < 0) r.AddError("--face must be 0 or more");
        });
        command.SetConvolveAction(ctx =>
        {
            IReadOnlyList<EnrollmentPhoto> photos = ctx.Parse.GetValue(people) is { } dir
                ? PeopleFolder.Read(dir)
                : ImageInputs.Expand(ctx.Parse.GetValue(inputs)!, ctx.Parse.GetValue(recursive))
                    .Select(f => new EnrollmentPhoto(ctx.Parse.GetValue(name)!.Trim(), f)).ToList();
            var identityOf = photos.ToDictionary(p => p.File, p => p.Identity);
            var analyzer = pipeline.Load(ctx);
            string path = ctx.Parse.GetValue(gallery)!;
            GalleryLocation.EnsureFolder(path);
            using FaceGallery g = analyzer.OpenGallery(path);
            int? faceIndex = ctx.Parse.GetValue(face);
            var result = BatchRunner.Run(ctx, photos.Select(p => p.File).ToList(),
                (file, _) => analyzer.Enroll(g, identityOf[file], ImageDecoder.Load(file), faceIndex), "Enrolling");
            var identities = result.Done.Select(d => d.Result.Entry.Identity).Distinct().ToList();
            ctx.Result(
                new
                {
                    gallery = g.Path,
                    identity = identities.Count == 1 ? identities[0] : null,
                    enrolled = result.Done.Select(d => new { file = d.Path, identity = d.Result.Entry.Identity, id = d.Result.Entry.Id, pose = FaceJson.Pose(d.Result.Pose), warnings = d.Result.Warnings }),
                    facesOfIdentity = identities.Count == 1 ? g.Entries(identities[0]).Count : (int?)null,
                    people = identities.Count,
                    failed = result.Failed.Select(f => new { path = f.Path, error = f.Error }),
                    summary = result.Summary,
                },
                console =>
                {
                    foreach (var d in result.Done) console.WriteLine($"{d.Path}\tenrolled as {d.Result.Entry.Identity}");
                    foreach (var d in result.Done)
                        foreach (string warning in d.Result.Warnings) ctx.Note($"warning: {d.Path}: {warning}");
                    foreach (string identity in identities) console.WriteLine($"{identity}: {g.Entries(identity).Count} face(s) in {g.Path}");
                });
            return (int)result.ExitCode;
        });
        return command;
    }
}
