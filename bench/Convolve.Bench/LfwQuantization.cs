using System.Diagnostics;
using System.Globalization;
using Convolve.Faces;
using Convolve.Faces.Encoding;
using Convolve.Faces.Evaluation;
using Convolve.Imaging;
using Convolve.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Convolve.Bench;

/// <summary>
/// How much does the 8-bit quantization of face-api's FaceRecognitionNet weights cost (`-- lfw-quantization
/// [--bits 8,7,6,5]`)? face-api ships dlib's network with 109 of 117 tensors stored as uint8 (one scale and minimum
/// per tensor); the float weights dlib publishes 99.38 % with are not reachable here. This re-quantizes those tensors
/// coarser still (b bits over the same range) and measures LFW View 1 DevTest (face-api crop, centre box, threshold
/// from DevTrain): each bit less doubles the rounding noise, so the trend brackets what the first 8 bits cost.
/// </summary>
public static class LfwQuantization
{
    public static void Run(string[] args)
    {
        string lfw = LfwData.Locate(args);
        string imagesDir = Path.Combine(lfw, "images");
        PairFile train = PairFileParser.Parse(Path.Combine(lfw, "pairsDevTrain.txt"));
        PairFile test = PairFileParser.Parse(Path.Combine(lfw, "pairsDevTest.txt"));
        var paths = train.Pairs.Concat(test.Pairs).SelectMany(p => new[] { p.PathA(imagesDir), p.PathB(imagesDir) }).Distinct().ToList();
        int workers = LfwData.ConfigureThreads(args);

        using var analyzer = FaceAnalyzer.Load();
        var faces = new System.Collections.Concurrent.ConcurrentDictionary<string, (RgbImage Image, Convolve.Faces.Landmarks.FaceLandmarks Landmarks)>();
        var clock = Stopwatch.StartNew();
        Parallel.ForEach(paths, new ParallelOptions { MaxDegreeOfParallelism = workers }, path =>
        {
            var image = ImageDecoder.Load(path);
            faces[path] = (image, DatasetFace.Locate(analyzer, image, FaceLocation.CentreBox).Face!.Landmarks);
        });
        Console.WriteLine($"landmarks of {paths.Count} images in {clock.Elapsed.TotalSeconds:F0} s");

        Console.WriteLine("| weights | quantized tensors | mean ‖Δf‖ vs 8-bit | DevTrain | DevTest (thr from DevTrain) | DevTest oracle | AUC |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        Dictionary<string, float[]>? reference = null;
        foreach (int bits in (LfwData.Option(args, "--bits") ?? "8,7,6,5").Split(',').Select(int.Parse))
        {
            using var encoder = FaceEncoder.Load();
            int requantized = bits < 8 ? Requantize(encoder.Network, bits) : Quantized(encoder.Network).Count();
            var enc = new System.Collections.Concurrent.ConcurrentDictionary<string, float[]>();
            Parallel.ForEach(paths, new ParallelOptions { MaxDegreeOfParallelism = workers }, path =>
                enc[path] = encoder.Encode(faces[path].Image, faces[path].Landmarks));
            reference ??= enc.ToDictionary();
            double drift = paths.Average(p => FaceAnalyzer.Distance(enc[p], reference[p]));
            double D(LfwPair p) => FaceAnalyzer.Distance(enc[p.PathA(imagesDir)], enc[p.PathB(imagesDir)]);
            var report = PairEvaluation.Run(test, D, train);
            var oracle = PairMetrics.BestAccuracy(PairEvaluation.Score(test, D));
            var trainBest = PairMetrics.BestAccuracy(PairEvaluation.Score(train, D));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {bits}-bit | {requantized} | {drift:F4} | {trainBest.Accuracy:P2} | {report.Accuracy:P2} | {oracle.Accuracy:P2} | {report.Auc:F4} |"));
        }
    }

    // A tensor face-api stored as uint8 has at most 256 distinct values.
    private static IEnumerable<Tensor> Quantized(FaceRecognitionNet net) =>
        net.parameters().Where(p => p.numel() > 256 && p.unique().Item1.numel() <= 256);

    private static int Requantize(FaceRecognitionNet net, int bits)
    {
        int count = 0;
        using var noGrad = no_grad();
        foreach (var p in Quantized(net).ToList())
        {
            using var scope = NewDisposeScope();
            double min = p.min().item<float>(), max = p.max().item<float>();
            double step = (max - min) / ((1 << bits) - 1);
            using var minS = min.ToScalar();
            using var stepS = step.ToScalar();
            var q = p.sub(minS).div(stepS).round().mul(stepS).add(minS);
            p.copy_(q);
            count++;
        }
        return count;
    }
}
