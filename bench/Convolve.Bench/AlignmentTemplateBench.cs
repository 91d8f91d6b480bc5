using System.Globalization;
using Convolve.Faces;
using Convolve.Faces.Alignment;
using Convolve.Faces.Evaluation;
using Convolve.Imaging;

namespace Convolve.Bench;

/// <summary>
/// Measures the landmark-alignment template (`-- template [--lfw DIR] [--images N]`): the mean position of the five
/// alignment points inside face-api's own 150-px recognition crop over LFW View 1 DevTrain faces. Prints the values
/// that <see cref="LandmarkAlignment.Template"/> holds.
/// </summary>
public static class AlignmentTemplateBench
{
    public static void Run(string[] args)
    {
        string lfw = LfwData.Locate(args);
        int limit = int.Parse(LfwData.Option(args, "--images") ?? "600", CultureInfo.InvariantCulture);
        var pairs = PairFileParser.Parse(Path.Combine(lfw, "pairsDevTrain.txt"));
        var images = pairs.DistinctImages().Select(i => LfwLayout.ImagePath(Path.Combine(lfw, "images"), i.Name, i.Index)).Take(limit).ToList();
        LfwData.ConfigureThreads(args);
        using var analyzer = FaceAnalyzer.Load(new FaceAnalyzerOptions { Alignment = FaceAlignment.FaceApiCrop });
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var sum = new double[10];
        int used = 0;
        foreach (string path in images)
        {
            var image = ImageDecoder.Load(path);
            var faces = analyzer.Detect(image);
            if (faces.Count == 0) continue;
            var face = DatasetFace.NearestCentre(faces, image);
            PixelRect crop = DlibCrop.FromLandmarks(face.Landmarks);
            if (crop.Width != crop.Height || crop.X <= 0 || crop.Y <= 0 || crop.X + crop.Width > image.Width || crop.Y + crop.Height > image.Height)
                continue; // keep the faces whose crop is a plain square inside the image: the frame is then exact
            double scale = (double)LandmarkAlignment.ChipSize / crop.Width;
            var points = LandmarkAlignment.FivePoints(face.Landmarks);
            for (int k = 0; k < 5; k++)
            {
                sum[2 * k] += (points[k].X - crop.X) * scale;
                sum[2 * k + 1] += (points[k].Y - crop.Y) * scale;
            }
            used++;
            if (used % 50 == 0) Console.Error.WriteLine($"{used} faces, {clock.Elapsed.TotalSeconds:F0} s");
        }
        Console.WriteLine($"template from {used} DevTrain faces (of {images.Count} images), in a {LandmarkAlignment.ChipSize}-px chip:");
        string[] names = ["left eye centre", "right eye centre", "nose tip", "left mouth corner", "right mouth corner"];
        for (int k = 0; k < 5; k++)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    ({sum[2 * k] / used:F2}, {sum[2 * k + 1] / used:F2}),  // {names[k]}"));
    }
}
