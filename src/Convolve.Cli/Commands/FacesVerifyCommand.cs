using System.CommandLine;
using Convolve.Cli.Infrastructure;
using Spectre.Console;
using Convolve.Faces;
using Convolve.Imaging;

namespace Convolve.Cli.Commands;

/// <summary>
/// <c>convolve faces verify A B</c>: are the people in two photos the same? Or <c>verify A --identity NAME</c>: is this
/// the enrolled person NAME?
/// </summary>
public static class FacesVerifyCommand
{
    /// <summary>The <c>faces verify</c> command.</summary>
    public static Command Create()
    {
        var first = new Argument<string>("a") { Description = "The first image." };
        var second = new Argument<string?>("b") { Description = "The second image (or give --identity instead).", Arity = ArgumentArity.ZeroOrOne };
        var identity = new Option<string?>("--identity") { Description = "Compare image A with this enrolled person instead of with image B.", HelpName = "name" };
        var threshold = new Option<double?>("--threshold")
        {
            Description = "Same person when the distance is below this (default: the gallery's calibrated threshold with --identity, else the model's default).",
            HelpName = "t",
        };
        var far = FarOption.Create();
        var face = new Option<int?>("--face") { Description = "Use face N of image A (0 = highest detection score) instead of the largest.", HelpName = "n" };
        var faceB = new Option<int?>("--face-b") { Description = "Use face N of image B instead of the largest.", HelpName = "n" };
        var gallery = GalleryLocation.CreateOption();
        var pipeline = new FacePipelineOptions(encodes: true);
        var command = new Command("verify",
            "Same person? Prints the distance between the two faces, the threshold and the answer. When an image holds several faces " +
            "the largest is used and the choice is reported; --face/--face-b pick another. Exit 3 when an image has no face.")
        {
            first, second, identity, threshold, far, face, faceB, gallery,
        };
        pipeline.AddTo(command);
        command.Validators.Add(r =>
        {
            bool hasB = r.GetValue(second) is not null, hasIdentity = r.GetValue(identity) is not null;
            if (hasB == hasIdentity) r.AddError("give either a second image B or --identity NAME (not both)");
            if (r.GetValue(threshold) is { } t && !(t > 0)) r.AddError("--threshold must be a positive number");
            FarOption.Validate(r, far, threshold);
        });
        command.SetConvolveAction(ctx =>
        {
            var analyzer = pipeline.Load(ctx);
            RgbImage a = ImageDecoder.Load(ctx.Parse.GetValue(first)!);
            double? tau = ctx.Parse.GetValue(threshold)
                ?? (ctx.Parse.GetValue(far) is { } rate ? analyzer.ThresholdForFalseAcceptRate(rate) : null);
            VerificationResult result;
            string? bLabel;
            if (ctx.Parse.GetValue(identity) is { } name)
            {
                using var g = analyzer.OpenGallery(ctx.Parse.GetValue(gallery)!, create: false);
                result = analyzer.Verify(a, g, name, tau, ctx.Parse.GetValue(face));
                bLabel = name;
            }
            else
            {
                bLabel = ctx.Parse.GetValue(second)!;
                RgbImage b = ImageDecoder.Load(bLabel);
                result = analyzer.Verify(a, b, tau, ctx.Parse.GetValue(face), ctx.Parse.GetValue(faceB));
            }
            Render(ctx, result, a.Source!, bLabel, ctx.Parse.GetValue(identity) is not null,
                ctx.Parse.GetValue(face) is not null, ctx.Parse.GetValue(faceB) is not null);
            return 0;
        });
        return command;
    }

    private static object Choice(string file, FaceChoice c) =>
        new { file, face = c.Index, faces = c.FaceCount, box = FaceJson.Box(c.Box) };

    private static void Render(CliContext ctx, VerificationResult r, string a, string b, bool againstIdentity, bool pickedA, bool pickedB)
    {
        ctx.Result(
            new
            {
                distance = FaceJson.Round(r.Distance),
                threshold = r.Threshold,
                same = r.Same,
                first = Choice(a, r.First),
                second = r.Second is { } s ? Choice(b, s) : null,
                identity = againstIdentity ? b : null,
            },
            console =>
            {
                string verdict = r.Same ? "same person" : "different people";
                console.WriteLine(FormattableString.Invariant(
                    $"{verdict}: distance {r.Distance:0.0000} {(r.Same ? "<" : ">=")} threshold {r.Threshold:0.####}"));
                Explain(console, a, r.First, pickedA);
                if (r.Second is { } second) Explain(console, b, second, pickedB);
            });
        if (!ctx.Json)
        {
            // Which face was used matters when a photo holds several: say so where people look, even when stdout is piped.
            if (r.First.WasAmbiguous && !pickedA) ctx.Note($"note: {a} holds {r.First.FaceCount} faces; face #{r.First.Index} (the largest) was used (--face N picks another).");
            if (r.Second is { WasAmbiguous: true } s2 && !pickedB) ctx.Note($"note: {b} holds {s2.FaceCount} faces; face #{s2.Index} (the largest) was used (--face-b N picks another).");
        }
    }

    private static void Explain(IAnsiConsole console, string file, FaceChoice c, bool picked) =>
        console.WriteLine(c.WasAmbiguous
            ? $"  {file}: face #{c.Index} of {c.FaceCount}, {(picked ? "as chosen" : "the largest")} ({FaceJson.Text(c.Box)})"
            : $"  {file}: its one face ({FaceJson.Text(c.Box)})");
}
