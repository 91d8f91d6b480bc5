using System.CommandLine;
using System.Globalization;
using Convolve.Cli.Infrastructure;
using Convolve.Faces;
using Convolve.Faces.Clustering;
using Convolve.Imaging;
using Spectre.Console;

namespace Convolve.Cli.Commands;

/// <summary><c>convolve faces cluster IMAGE...</c>: group the faces of a photo collection by person, without enrolling anyone.</summary>
public static class FacesClusterCommand
{
    private sealed record FoundFace(string File, int Index, FaceBox Box, float[] Encoding);

    /// <summary>The <c>faces cluster</c> command.</summary>
    public static Command Create()
    {
        var inputs = new Argument<string[]>("images") { Description = "Image files, folders or globs.", Arity = ArgumentArity.OneOrMore };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Take the images in subfolders too." };
        var threshold = new Option<double?>("--threshold")
        {
            Description = "Faces closer than this are joined (default: the model's clustering threshold, 0.735 × its verification threshold; 0.45 for the default encodings).",
            HelpName = "t",
        };
        var seed = new Option<int>("--seed") { Description = "Seed of the clustering's random visiting order.", DefaultValueFactory = _ => 0 };
        var output = new Option<string?>("--out") { Description = "Write a thumbnail of every face into one subfolder per group (person-001, ...).", HelpName = "dir" };
        var pipeline = new FacePipelineOptions(encodes: true);
        var command = new Command("cluster",
            "Group the faces of a photo collection by person without enrolling anyone (Chinese whispers over faces closer than the threshold). " +
            "Groups are numbered by size, largest first.")
        {
            inputs, recursive, threshold, seed, output,
        };
        pipeline.AddTo(command);
        command.Validators.Add(r =>
        {
            if (r.GetValue(threshold) is { } t && !(t > 0)) r.AddError("--threshold must be a positive number");
        });
        command.SetConvolveAction(ctx =>
        {
            var files = ImageInputs.Expand(ctx.Parse.GetValue(inputs)!, ctx.Parse.GetValue(recursive));
            var analyzer = pipeline.Load(ctx);
            double tau = ctx.Parse.GetValue(threshold) ?? analyzer.DefaultClusteringThreshold;
            int seedValue = ctx.Parse.GetValue(seed);
            string? outDir = ctx.Parse.GetValue(output);
            var result = BatchRunner.Run(ctx, files, (file, _) =>
            {
                var image = ImageDecoder.Load(file);
                var faces = analyzer.Encode(image);
                return faces.Select((f, i) => new FoundFace(file, i, f.Face.Box, f.Encoding)).ToList();
            }, "Encoding faces");
            var found = result.Done.SelectMany(d => d.Result).ToList();
            int[] labels = FaceClustering.Cluster(found.Select(f => f.Encoding).ToList(), tau, seedValue);
            var groups = Enumerable.Range(0, labels.Length).GroupBy(i => labels[i]).OrderBy(g => g.Key)
                .Select(g => g.Select(i => found[i]).ToList()).ToList();
            var thumbnails = outDir is null ? null : WriteThumbnails(outDir, groups);

            ctx.Result(
                new
                {
                    threshold = tau,
                    seed = seedValue,
                    faces = found.Count,
                    groups = groups.Select((g, k) => new
                    {
                        id = k + 1,
                        faces = g.Select(f => new { file = f.File, face = f.Index, box = FaceJson.Box(f.Box), thumbnail = thumbnails?[f] }),
                    }),
                    failed = result.Failed.Select(f => new { path = f.Path, error = f.Error }),
                    summary = result.Summary,
                },
                console =>
                {
                    for (int k = 0; k < groups.Count; k++)
                    {
                        console.WriteLine($"person {k + 1}: {groups[k].Count} face(s)");
                        foreach (var f in groups[k]) console.WriteLine($"  {f.File}\t#{f.Index}\t{FaceJson.Text(f.Box)}");
                    }
                    console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{found.Count} face(s) in {result.Done.Count} image(s): {groups.Count} group(s) at threshold {tau:0.####}{(outDir is null ? "" : $"; thumbnails in {outDir}")}"));
                });
            return (int)result.ExitCode;
        });
        return command;
    }

    /// <summary>A thumbnail of each face (its box grown by a quarter on each side) as DIR/person-NNN/&lt;image&gt;-face&lt;k&gt;.png; each image is read once.</summary>
    private static Dictionary<FoundFace, string> WriteThumbnails(string dir, List<List<FoundFace>> groups)
    {
        var paths = new Dictionary<FoundFace, string>();
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var folderOf = new Dictionary<FoundFace, string>();
        for (int k = 0; k < groups.Count; k++)
        {
            string folder = Path.Combine(dir, $"person-{k + 1:D3}");
            Directory.CreateDirectory(folder);
            foreach (var f in groups[k]) folderOf[f] = folder;
        }
        foreach (var byImage in groups.SelectMany(g => g).GroupBy(f => f.File))
        {
            var image = ImageDecoder.Load(byImage.Key);
            foreach (var f in byImage)
            {
                var b = f.Box;
                var thumb = ImageTransforms.Crop(image, (int)(b.X - b.Width / 4), (int)(b.Y - b.Height / 4), (int)(b.Width * 1.5f), (int)(b.Height * 1.5f));
                string stem = Path.GetFileNameWithoutExtension(f.File);
                string path = Path.Combine(folderOf[f], $"{stem}-face{f.Index}.png");
                for (int n = 2; !used.Add(path); n++) path = Path.Combine(folderOf[f], $"{stem}-{n}-face{f.Index}.png");
                ImageEncoder.Save(thumb, path, ImageFormat.Png);
                paths[f] = path;
            }
        }
        return paths;
    }
}
