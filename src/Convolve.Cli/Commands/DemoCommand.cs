using System.CommandLine;
using System.Globalization;
using Convolve.Cli.Infrastructure;
using Convolve.Faces.Demo;
using Spectre.Console;

namespace Convolve.Cli.Commands;

/// <summary><c>convolve demo</c>: one-shot face recognition end to end on face-api's six sample photos, offline.</summary>
public static class DemoCommand
{
    /// <summary>The <c>demo</c> command.</summary>
    public static Command Create()
    {
        var output = new Option<string>("--out", "-o")
        {
            Description = "Folder for the annotated PNGs (created if needed).",
            HelpName = "dir",
            DefaultValueFactory = _ => "convolve-demo",
        };
        var samples = new Option<string?>("--samples")
        {
            Description = "Folder holding sample1.jpg … sample6.jpg (default: the demo/ folder of the installed face-api package).",
            HelpName = "dir",
        };
        var pipeline = new FacePipelineOptions(encodes: true);
        var command = new Command("demo",
            "One-shot face recognition on face-api's six sample photos: enroll every face of photos 1–3 from that one photo, then identify " +
            "the faces in mirror images of photos 1–3 (should be recognized) and in photos 4–6 (never enrolled: should be unknown). " +
            "Prints every face with its distance, the threshold in force and the counts; writes annotated PNGs.")
        {
            output, samples,
        };
        pipeline.AddTo(command);
        command.SetConvolveAction(ctx =>
        {
            string samplesDir = ctx.Parse.GetValue(samples) ?? FaceDemo.FindSamples(ctx.Models)
                ?? throw new InvalidInputException("demo", "face-api's sample photos were not found; " + FaceDemo.SamplesHint);
            var analyzer = pipeline.Load(ctx);
            FaceDemoResult result = FaceDemo.Run(analyzer, samplesDir, ctx.Parse.GetValue(output)!,
                ctx.Json ? null : new SyncProgress(ctx.Note), ctx.Cancellation);
            ctx.Result(Json(result), console => Render(console, result));
            return 0;
        });
        return command;
    }

    /// <summary>Reports on the caller's thread (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    private sealed class SyncProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }

    /// <summary>The result with boxes as [x, y, w, h] like the other face commands.</summary>
    private static object Json(FaceDemoResult r) => new
    {
        r.ModelId,
        r.Threshold,
        r.Photos,
        enrolled = r.Enrolled.Select(e => new { e.Identity, e.Photo, e.FaceIndex, box = FaceJson.Box(e.Box), pose = FaceJson.Pose(e.Pose), warnings = e.Warnings }),
        probes = r.Probes.Select(p => new
        {
            p.Photo, p.FaceIndex, box = FaceJson.Box(p.Box), p.Group, p.Expected, p.Name, p.Nearest,
            distance = p.Distance is { } d ? FaceJson.Round(d) : (double?)null, p.Outcome, p.Correct,
        }),
        counts = new { enrolledPeople = r.EnrolledPeople, neverEnrolled = r.NeverEnrolled, all = r.All },
        r.OutputDirectory,
        seconds = Math.Round(r.Elapsed.TotalSeconds, 1),
    };

    private static string Num(double? d) => d is { } x ? x.ToString("0.0000", CultureInfo.InvariantCulture) : "-";

    private static void Render(IAnsiConsole console, FaceDemoResult r)
    {
        console.WriteLine("Enrolled (one photo each): " + string.Join(", ", r.Photos.Where(p => p.Role == DemoPhotoRole.Enroll)
            .Select(p => $"{p.Name}: {p.Faces} faces")) + $" = {r.Enrolled.Count} people.");
        foreach (var e in r.Enrolled)
            foreach (string warning in e.Warnings) console.WriteLine($"Warning, enrollment of {e.Identity}: {warning}.");
        var table = new Table().AddColumns("photo", "face", "who it is", "answer", "nearest", "distance", "outcome");
        foreach (var p in r.Probes)
        {
            string outcome = p.Outcome switch
            {
                DemoOutcome.Recognized => "[green]recognized[/]",
                DemoOutcome.Unknown => p.Correct ? "[green]unknown[/]" : "[yellow]unknown[/]",
                _ => "[red]wrong[/]",
            };
            table.AddRow(Markup.Escape(p.Photo), $"#{p.FaceIndex}", Markup.Escape(p.Expected ?? "(never enrolled)"),
                Markup.Escape(p.Name ?? "unknown"), Markup.Escape(p.Nearest ?? "-"), Num(p.Distance), outcome);
        }
        console.Write(table);
        console.WriteLine(FormattableString.Invariant($"Threshold in force: {r.Threshold:0.####} (model {r.ModelId}); a face is named when its nearest enrolled person is closer."));
        Counts(console, "Enrolled people, mirror images of photos 1-3", r.EnrolledPeople);
        Counts(console, "Never-enrolled people, photos 4-6", r.NeverEnrolled);
        console.WriteLine($"Correct answers: {r.All.Correct} of {r.All.Faces}.");
        console.WriteLine($"Annotated photos: {r.OutputDirectory} ({r.Photos.Count} PNGs). Took {r.Elapsed.TotalSeconds:0.0} s.");
    }

    private static void Counts(IAnsiConsole console, string group, DemoCounts c) =>
        console.WriteLine($"{group}: {c.Faces} faces: {c.Recognized} recognized, {c.Unknown} unknown, {c.Wrong} wrong.");
}
