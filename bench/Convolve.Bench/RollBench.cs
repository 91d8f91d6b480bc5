using System.Collections.Concurrent;
using System.Globalization;
using Convolve.Faces;
using Convolve.Faces.Encoding;
using Convolve.Faces.Evaluation;
using Convolve.Faces.Landmarks;
using Convolve.Imaging;
using SkiaSharp;

namespace Convolve.Bench;

/// <summary>
/// How in-plane tilt (roll) affects matching (`-- roll [--angles 0,15,30,45]`): the second image of every LFW View 1
/// DevTest pair is rotated about its centre by each angle, its face found in the centred box, and both faces encoded
/// with face-api's axis-aligned crop and with the landmark alignment (which undoes rotation). Reports the roll that
/// <see cref="HeadPose"/> measures on the rotated faces, the mean same-person distance, and the errors at each
/// alignment's default threshold.
/// </summary>
public static class RollBench
{
    public static void Run(string[] args)
    {
        string lfw = LfwData.Locate(args);
        int workers = LfwData.ConfigureThreads(args);
        double[] angles = (LfwData.Option(args, "--angles") ?? "0,15,30,45").Split(',').Select(a => double.Parse(a, CultureInfo.InvariantCulture)).ToArray();
        string images = Path.Combine(lfw, "images");
        var test = PairFileParser.Parse(Path.Combine(lfw, "pairsDevTest.txt"));
        EncodingVariant[] variants = [new(FaceAlignment.FaceApiCrop, false), new(FaceAlignment.Landmarks, false)];
        using var analyzer = FaceAnalyzer.Load();

        var originals = new ConcurrentDictionary<string, float[][]>();
        Parallel.ForEach(test.Pairs.Select(p => p.PathA(images)).Distinct(), new ParallelOptions { MaxDegreeOfParallelism = workers }, path =>
        {
            var image = ImageDecoder.Load(path);
            originals[path] = analyzer.EncodeVariants(image, DatasetFace.Locate(analyzer, image, FaceLocation.CentreBox).Face!, variants);
        });

        Console.WriteLine("| rotation | measured roll change (median) | alignment | mean same distance | false rejects (of 500) | false accepts (of 500) | accuracy |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (double angle in angles)
        {
            var rotated = new ConcurrentDictionary<string, (float[][] Encodings, double RollChange)>();
            Parallel.ForEach(test.Pairs.Select(p => p.PathB(images)).Distinct(), new ParallelOptions { MaxDegreeOfParallelism = workers }, path =>
            {
                var image = ImageDecoder.Load(path);
                var before = DatasetFace.Locate(analyzer, image, FaceLocation.CentreBox).Face!;
                var turned = Rotate(image, angle);
                var face = DatasetFace.Locate(analyzer, turned, FaceLocation.CentreBox).Face!;
                double change = HeadPose.FromLandmarks(face.Landmarks).RollDegrees - HeadPose.FromLandmarks(before.Landmarks).RollDegrees;
                rotated[path] = (analyzer.EncodeVariants(turned, face, variants), change);
            });
            var changes = rotated.Values.Select(v => v.RollChange).Order().ToArray();
            for (int v = 0; v < variants.Length; v++)
            {
                double threshold = DefaultThresholds.For(variants[v].Alignment, variants[v].Flip);
                var scored = test.Pairs.Select(p => (p.Same, D: (double)FaceAnalyzer.Distance(originals[p.PathA(images)][v], rotated[p.PathB(images)].Encodings[v]))).ToList();
                int falseRejects = scored.Count(s => s.Same && s.D >= threshold), falseAccepts = scored.Count(s => !s.Same && s.D < threshold);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {angle}° | {changes[changes.Length / 2]:F1}° | {(v == 0 ? "face-api crop" : "landmark alignment")} | {scored.Where(s => s.Same).Average(s => s.D):F3} | {falseRejects} | {falseAccepts} | {1 - (falseRejects + falseAccepts) / (double)scored.Count:P1} |"));
            }
        }
    }

    /// <summary>The image turned clockwise on screen by <paramref name="degrees"/> about its centre, black outside.</summary>
    private static RgbImage Rotate(RgbImage image, double degrees)
    {
        using var pixels = SkiaPixels.ToBitmap(image);
        using var source = SKImage.FromBitmap(pixels);
        using var target = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(target))
        {
            canvas.Clear(SKColors.Black);
            canvas.RotateDegrees((float)degrees, image.Width / 2f, image.Height / 2f);
            canvas.DrawImage(source, 0, 0, new SKSamplingOptions(SKFilterMode.Linear), null);
        }
        return SkiaPixels.FromBitmap(target, image.Source);
    }
}
