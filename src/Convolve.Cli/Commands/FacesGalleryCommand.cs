using System.CommandLine;
using Convolve.Cli.Infrastructure;
using Convolve.Faces.Gallery;
using Spectre.Console;

namespace Convolve.Cli.Commands;

/// <summary><c>convolve faces gallery list|remove|rename|export|import</c>: manage the enrolled people.</summary>
public static class FacesGalleryCommand
{
    /// <summary>The <c>faces gallery</c> command group.</summary>
    public static Command Create()
    {
        var command = new Command("gallery", "Manage the gallery of enrolled people: list, remove, rename, export to JSON, import from JSON.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Remove());
        command.Subcommands.Add(Rename());
        command.Subcommands.Add(Export());
        command.Subcommands.Add(Import());
        return command;
    }

    private static Command List()
    {
        var gallery = GalleryLocation.CreateOption();
        var command = new Command("list", "The enrolled people with their number of faces, the model and the threshold.") { gallery };
        command.SetConvolveAction(ctx =>
        {
            using var g = FaceGallery.Open(ctx.Parse.GetValue(gallery)!);
            var people = g.ListIdentities();
            var calibrated = g.CalibratedThreshold;
            ctx.Result(
                new
                {
                    gallery = g.Path,
                    modelId = g.ModelId,
                    calibratedThreshold = calibrated?.Threshold,
                    faces = people.Sum(p => p.Faces),
                    identities = people.Select(p => new { name = p.Identity, faces = p.Faces, firstEnrolled = p.FirstEnrolled, lastEnrolled = p.LastEnrolled }),
                },
                console =>
                {
                    var table = new Table().AddColumns("name", "faces", "first enrolled", "last enrolled");
                    foreach (var p in people)
                        table.AddRow(Markup.Escape(p.Identity), p.Faces.ToString(), p.FirstEnrolled.ToString("u"), p.LastEnrolled.ToString("u"));
                    console.Write(table);
                    console.WriteLine($"{people.Count} people, {people.Sum(p => p.Faces)} faces in {g.Path}");
                    console.WriteLine($"model {g.ModelId}; threshold " +
                        (calibrated is null ? "not calibrated (the model's default is used)" : FormattableString.Invariant($"{calibrated.Threshold:0.####} (calibrated)")));
                });
            return 0;
        });
        return command;
    }

    private static Command Remove()
    {
        var name = new Argument<string>("name") { Description = "The person to remove (all their faces)." };
        var gallery = GalleryLocation.CreateOption();
        var command = new Command("remove", "Remove a person and all their faces.") { name, gallery };
        command.SetConvolveAction(ctx =>
        {
            using var g = FaceGallery.Open(ctx.Parse.GetValue(gallery)!);
            string who = ctx.Parse.GetValue(name)!;
            int removed = g.Remove(who);
            if (removed == 0) throw new InvalidInputException(g.Path, $"no one named '{who}' is enrolled");
            ctx.Result(new { gallery = g.Path, name = who, removed }, c => c.WriteLine($"removed {who} ({removed} face(s)) from {g.Path}"));
            return 0;
        });
        return command;
    }

    private static Command Rename()
    {
        var from = new Argument<string>("from") { Description = "The current name." };
        var to = new Argument<string>("to") { Description = "The new name." };
        var merge = new Option<bool>("--merge") { Description = "Allow renaming onto an existing person, merging the two (otherwise refused)." };
        var gallery = GalleryLocation.CreateOption();
        var command = new Command("rename", "Rename a person.") { from, to, merge, gallery };
        command.SetConvolveAction(ctx =>
        {
            using var g = FaceGallery.Open(ctx.Parse.GetValue(gallery)!);
            string a = ctx.Parse.GetValue(from)!, b = ctx.Parse.GetValue(to)!;
            int renamed;
            try
            {
                renamed = g.Rename(a, b, ctx.Parse.GetValue(merge));
            }
            catch (ArgumentException e)
            {
                throw new InvalidInputException(g.Path, e.Message);
            }
            if (renamed == 0) throw new InvalidInputException(g.Path, $"no one named '{a}' is enrolled");
            ctx.Result(new { gallery = g.Path, from = a, to = b.Trim(), renamed }, c => c.WriteLine($"renamed {a} to {b.Trim()} ({renamed} face(s))"));
            return 0;
        });
        return command;
    }

    private static Command Export()
    {
        var file = new Argument<string>("file") { Description = "The JSON file to write (biometric data: it is made readable by you only)." };
        var force = new Option<bool>("--force") { Description = "Overwrite the file if it exists." };
        var gallery = GalleryLocation.CreateOption();
        var command = new Command("export", "Write the whole gallery (faces, model, calibrated threshold) to a JSON file.") { file, force, gallery };
        command.SetConvolveAction(ctx =>
        {
            string path = ctx.Parse.GetValue(file)!;
            if (File.Exists(path) && !ctx.Parse.GetValue(force))
                throw new InvalidInputException(path, "the file exists; it was not overwritten (use --force to replace it)");
            using var g = FaceGallery.Open(ctx.Parse.GetValue(gallery)!);
            g.Export(path);
            int faces = g.FaceCount;
            ctx.Result(new { gallery = g.Path, file = path, faces }, c => c.WriteLine($"exported {faces} face(s) from {g.Path} to {path}"));
            return 0;
        });
        return command;
    }

    private static Command Import()
    {
        var file = new Argument<string>("file") { Description = "A JSON file written by 'faces gallery export'." };
        var gallery = GalleryLocation.CreateOption();
        var pipeline = new FacePipelineOptions(encodes: true);
        var command = new Command("import",
            "Add the faces of an exported JSON file (faces already present are skipped). A missing gallery is created for the model " +
            "--align/--flip choose; the file must come from the same model.") { file, gallery };
        pipeline.AddTo(command);
        command.SetConvolveAction(ctx =>
        {
            string json = ctx.Parse.GetValue(file)!;
            if (!File.Exists(json)) throw new InvalidInputException(json, "file not found");
            string path = ctx.Parse.GetValue(gallery)!;
            FaceGallery g;
            bool created = !File.Exists(path);
            if (!created)
            {
                g = FaceGallery.Open(path);
            }
            else
            {
                GalleryLocation.EnsureFolder(path);
                g = pipeline.Load(ctx).OpenGallery(path);
            }
            using (g)
            {
                int added;
                try
                {
                    added = g.Import(json);
                }
                catch when (created)
                {
                    g.Dispose(); // the gallery we just made stays empty: leave nothing behind
                    foreach (string suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
                    throw;
                }
                ctx.Result(new { gallery = g.Path, file = json, added, faces = g.FaceCount },
                    c => c.WriteLine($"imported {added} face(s) from {json} into {g.Path} ({g.FaceCount} in all)"));
            }
            return 0;
        });
        return command;
    }
}
