using System.Globalization;
using Convolve.Faces;
using Convolve.Faces.Demo;
using Convolve.Faces.Evaluation;
using Convolve.Faces.Landmarks;
using Convolve.Imaging;
using static System.FormattableString;

namespace Convolve.Bench;

/// <summary>
/// How head pose (<see cref="HeadPose"/>) relates to matching (`-- pose [--cache FILE] [--encodings FILE]`): the
/// distribution of roll, yaw and eye distance over LFW View 1 (landmarks in the centred box, from lfw-experiment's
/// cache), the same-person distances and errors of the LFW pairs grouped by the larger |yaw| of their two faces
/// (face-api crop, no flip, from lfw-cohort's cache; threshold from pairsDevTrain), and the pose of each face of the
/// demo photos.
/// </summary>
public static class PoseBench
{
    public static void Run(string[] args)
    {
        string lfw = LfwData.Locate(args);
        string cachePath = LfwData.Option(args, "--cache") ?? "/tmp/lfw-landmarks.json";
        string encodingsPath = LfwData.Option(args, "--encodings") ?? "/tmp/lfw-encodings.bin";
        var images = LfwExperiment.ReadCache(cachePath);
        var pose = images.Where(i => i.Centre is not null).ToDictionary(i => Path.GetFileName(i.Path), i => PoseOf(i.Centre!.Points));
        Console.WriteLine(Invariant($"LFW View 1 pair images with landmarks: {pose.Count}"));
        Percentiles("|yaw|", pose.Values.Select(p => Math.Abs(p.Yaw)));
        Percentiles("|roll| (degrees)", pose.Values.Select(p => Math.Abs(p.RollDegrees)));
        Percentiles("eye distance (px)", pose.Values.Select(p => p.EyeDistancePixels));

        var encodings = LfwCohort.Read(encodingsPath).ToDictionary(kv => Path.GetFileName(kv.Key), kv => kv.Value[0]);
        var train = PairFileParser.Parse(Path.Combine(lfw, "pairsDevTrain.txt"));
        var test = PairFileParser.Parse(Path.Combine(lfw, "pairsDevTest.txt"));
        string Jpg(string name, int index) => $"{name}_{index:D4}.jpg";
        double D(LfwPair p) => FaceAnalyzer.Distance(encodings[Jpg(p.NameA, p.IndexA)], encodings[Jpg(p.NameB, p.IndexB)]);
        double threshold = PairMetrics.BestAccuracy(PairEvaluation.Score(train, D)).Threshold;
        var pairs = train.Pairs.Concat(test.Pairs)
            .Where(p => pose.ContainsKey(Jpg(p.NameA, p.IndexA)) && pose.ContainsKey(Jpg(p.NameB, p.IndexB)))
            .Select(p => (p.Same, Distance: D(p), Yaw: Math.Max(Math.Abs(pose[Jpg(p.NameA, p.IndexA)].Yaw), Math.Abs(pose[Jpg(p.NameB, p.IndexB)].Yaw))))
            .ToList();
        Console.WriteLine(Invariant($"\nLFW pairs (DevTrain + DevTest) by the larger |yaw| of the two faces; threshold {threshold:F4} from pairsDevTrain\n"));
        Console.WriteLine("| larger abs(yaw) | same pairs | mean same distance | false rejects | different pairs | mean different distance | false accepts |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        double[] edges = [0, 0.1, 0.2, 0.3, 0.4, 0.6, 1.0001];
        for (int b = 0; b + 1 < edges.Length; b++)
        {
            var bin = pairs.Where(p => p.Yaw >= edges[b] && p.Yaw < edges[b + 1]).ToList();
            var same = bin.Where(p => p.Same).ToList();
            var diff = bin.Where(p => !p.Same).ToList();
            Console.WriteLine(Invariant($"| {edges[b]:0.0}–{Math.Min(edges[b + 1], 1):0.0} | {same.Count} | {(same.Count > 0 ? same.Average(p => p.Distance) : double.NaN):F3} | {same.Count(p => p.Distance >= threshold)} | {diff.Count} | {(diff.Count > 0 ? diff.Average(p => p.Distance) : double.NaN):F3} | {diff.Count(p => p.Distance < threshold)} |"));
        }

        string? samples = FaceDemo.FindSamples();
        if (samples is null) return;
        Console.WriteLine("\nDemo photos (faces numbered by detection score):");
        using var analyzer = FaceAnalyzer.Load();
        for (int s = 1; s <= 6; s++)
        {
            var faces = analyzer.Detect(ImageDecoder.Load(Path.Combine(samples, $"sample{s}.jpg")));
            for (int f = 0; f < faces.Count; f++)
            {
                var p = HeadPose.FromLandmarks(faces[f].Landmarks);
                Console.WriteLine(Invariant($"  sample{s} #{f}: yaw {p.Yaw:+0.00;-0.00}, roll {p.RollDegrees:+0.0;-0.0}°, eye distance {p.EyeDistancePixels:F0} px"));
            }
        }
    }

    private static HeadPose PoseOf(float[] xy) =>
        HeadPose.FromLandmarks(FaceLandmarks.FromPoints(new FaceBox(0, 0, 1, 1), new PixelRect(0, 0, 1, 1),
            Enumerable.Range(0, 68).Select(i => new Point2(xy[2 * i], xy[2 * i + 1])).ToList()));

    private static void Percentiles(string name, IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        double P(double q) => v[(int)Math.Min(v.Length - 1, Math.Floor(q * v.Length))];
        Console.WriteLine(Invariant($"  {name}: median {P(0.5):F3}, 90% {P(0.9):F3}, 99% {P(0.99):F3}, max {v[^1]:F3}"));
    }

}
