using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Convolve.Faces;
using Convolve.Faces.Alignment;
using Convolve.Faces.Encoding;
using Convolve.Faces.Evaluation;
using Convolve.Faces.Landmarks;
using Convolve.Imaging;
using static TorchSharp.torch;

namespace Convolve.Bench;

/// <summary>
/// The search for better LFW accuracy (`-- lfw-experiment [--cache FILE] [--policies …] [--geometries …]`): caches every
/// LFW View 1 image's detections (down to score 0.05) and centre-box landmarks once, then compares by DevTrain and
/// DevTest accuracy (threshold from DevTrain), each with and without flip, by euclidean and cosine distance:
/// face choice (policies: a detector score such as 0.5, <c>centre</c>, <c>centre@S</c> for a box of S × the side,
/// <c>multi</c> for landmarks averaged over 15 centred boxes, <c>refine:P</c> for a second landmark pass in the box
/// the first landmarks imply, <c>expand:P:S</c> for a second pass in a square S × the first landmarks' extent) and chip geometry (<c>faceapi</c>, <c>template</c>, <c>dlib5</c>, <c>dlib68</c> (a port's variant without
/// mouth corners), <c>dlib68cpp</c> (dlib's C++ point set), <c>dlib68all</c>, <c>ensemble</c> of three, <c>jitter</c>: nine shifted/scaled face-api crops averaged,
/// <c>dlibjitter:N</c>: N of dlib's jitter_image on the landmark-aligned chip averaged).
/// </summary>
public static class LfwExperiment
{
    /// <summary>A face of the landmark cache: box [x, y, w, h], detection score, 68 points interleaved.</summary>
    internal sealed record CachedFace(float[] Box, float Score, float[] Points);

    /// <summary>An image of the landmark cache: its detections (down to score 0.05) and the face found in the centred box.</summary>
    internal sealed record CachedImage(string Path, int Width, int Height, List<CachedFace> Faces, CachedFace? Centre);

    /// <summary>Reads the landmark cache this benchmark writes (also read by the pose benchmark).</summary>
    internal static List<CachedImage> ReadCache(string path) => JsonSerializer.Deserialize<List<CachedImage>>(File.ReadAllText(path))!;

    public static void Run(string[] args)
    {
        string lfw = LfwData.Locate(args);
        string cachePath = LfwData.Option(args, "--cache") ?? "/tmp/lfw-landmarks.json";
        string imagesDir = Path.Combine(lfw, "images");
        PairFile train = PairFileParser.Parse(Path.Combine(lfw, "pairsDevTrain.txt"));
        PairFile test = PairFileParser.Parse(Path.Combine(lfw, "pairsDevTest.txt"));
        var paths = train.Pairs.Concat(test.Pairs).SelectMany(p => new[] { p.PathA(imagesDir), p.PathB(imagesDir) }).Distinct().ToList();
        int workers = LfwData.ConfigureThreads(args);

        Dictionary<string, CachedImage> cache = File.Exists(cachePath)
            ? ReadCache(cachePath).ToDictionary(c => c.Path)
            : BuildCache(paths, workers, cachePath);

        using var encoder = FaceEncoder.Load();
        using var analyzer = FaceAnalyzer.Load();
        var frame = BoxFromLandmarksFrame(cache.Values);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"detector box relative to the landmarks' bounding box: centre offset ({frame.Dx:F3}, {frame.Dy:F3}), size ({frame.Sw:F3}, {frame.Sh:F3})"));
        var extents = cache.Values.Where(c => c.Centre is not null).Select(c => { var (x0, y0, x1, y1) = Bounds(c.Centre!); return Math.Min(c.Width, c.Height) / 2.0 / Math.Max(x1 - x0, y1 - y0); }).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"centred box side / its landmarks' extent: median {extents[extents.Length / 2]:F3}"));
        string[] policies = (LfwData.Option(args, "--policies") ?? "0.5,0.3,0.1,centre").Split(',');
        string[] geometries = (LfwData.Option(args, "--geometries") ?? "faceapi,template,dlib5,dlib68").Split(',');
        foreach (string policy in policies)
            foreach (string geometry in geometries)
            {
                var clock = Stopwatch.StartNew();
                var enc = new System.Collections.Concurrent.ConcurrentDictionary<string, (float[] Plain, float[] Flip)>();
                int fallback = 0;
                Parallel.ForEach(paths, new ParallelOptions { MaxDegreeOfParallelism = workers }, path =>
                {
                    var c = cache[path];
                    bool refine = policy.StartsWith("refine:", StringComparison.Ordinal);
                    // expand:P:S — landmarks again in a square S × the first landmarks' extent, centred on them.
                    bool expand = policy.StartsWith("expand:", StringComparison.Ordinal);
                    string basePolicy = refine ? policy["refine:".Length..] : expand ? policy.Split(':')[1] : policy;
                    var face = Choose(c, basePolicy);
                    if (face == c.Centre) Interlocked.Increment(ref fallback);
                    var image = ImageDecoder.Load(path);
                    if (basePolicy.StartsWith("centre@", StringComparison.Ordinal))
                    {
                        double scale = double.Parse(basePolicy["centre@".Length..], CultureInfo.InvariantCulture);
                        float side = (float)(Math.Min(image.Width, image.Height) * scale);
                        var box = new FaceBox((image.Width - side) / 2, (image.Height - side) / 2, side, side);
                        var found = analyzer.FaceIn(image, box)!;
                        face = new CachedFace([box.X, box.Y, box.Width, box.Height], 0, found.Landmarks.Points.SelectMany(p => new[] { p.X, p.Y }).ToArray());
                    }
                    if (basePolicy == "multi")
                    {
                        // Landmarks averaged over several centred boxes (scales and small shifts): less landmark noise.
                        float full = Math.Min(image.Width, image.Height);
                        var boxes = new List<FaceBox>();
                        foreach (double sc in new[] { 0.45, 0.5, 0.55 })
                            foreach (var (dx, dy) in new[] { (0f, 0f), (4f, 0f), (-4f, 0f), (0f, 4f), (0f, -4f) })
                            {
                                float side = (float)(full * sc);
                                boxes.Add(new FaceBox((image.Width - side) / 2 + dx, (image.Height - side) / 2 + dy, side, side));
                            }
                        var sum = new float[136];
                        foreach (var b in boxes)
                        {
                            var found = analyzer.FaceIn(image, b)!;
                            for (int i = 0; i < 68; i++) { sum[2 * i] += found.Landmarks.Points[i].X / boxes.Count; sum[2 * i + 1] += found.Landmarks.Points[i].Y / boxes.Count; }
                        }
                        var b0 = boxes[5];
                        face = new CachedFace([b0.X, b0.Y, b0.Width, b0.Height], 0, sum);
                    }
                    if (expand)
                    {
                        double scale = double.Parse(policy.Split(':')[2], CultureInfo.InvariantCulture);
                        var (x0, y0, x1, y1) = Bounds(face!);
                        float side = (float)(scale * Math.Max(x1 - x0, y1 - y0));
                        var box = new FaceBox((float)((x0 + x1) / 2 - side / 2), (float)((y0 + y1) / 2 - side / 2), side, side);
                        var again = analyzer.FaceIn(image, box);
                        if (again is not null) face = new CachedFace(face!.Box, face.Score, again.Landmarks.Points.SelectMany(p => new[] { p.X, p.Y }).ToArray());
                    }
                    if (refine)
                    {
                        var box = BoxFromLandmarks(face!, frame);
                        var again = analyzer.FaceIn(image, box);
                        if (again is not null) face = new CachedFace(face!.Box, face.Score, again.Landmarks.Points.SelectMany(p => new[] { p.X, p.Y }).ToArray());
                    }
                    enc[path] = Encode();
                    (float[], float[]) Encode()
                    {
                        using var scope = NewDisposeScope();
                        string[] parts = geometry == "ensemble" ? ["faceapi", "template", "dlib5"]
                            : geometry == "jitter" ? ["faceapi", "faceapi@2:0:1", "faceapi@-2:0:1", "faceapi@0:2:1", "faceapi@0:-2:1", "faceapi@0:0:1.04", "faceapi@0:0:0.96", "faceapi@2:2:1.02", "faceapi@-2:-2:0.98"]
                            : geometry.StartsWith("dlibjitter:", StringComparison.Ordinal)
                                ? Enumerable.Range(0, int.Parse(geometry["dlibjitter:".Length..], CultureInfo.InvariantCulture)).Select(j => $"ajitter:{StableHash(path)}:{j}").ToArray()
                            : [geometry];
                        var chips = parts.Select(g => MakeChip(image, ToLandmarks(face!, image), g)).ToArray();
                        var e = encoder.EncodeChips(cat(chips.Concat(chips.Select(c => c.flip(3))).ToArray(), 0));
                        int n = parts.Length;
                        float[] plain = new float[e[0].Length], both = new float[e[0].Length];
                        for (int k = 0; k < plain.Length; k++)
                        {
                            for (int g = 0; g < n; g++) { plain[k] += e[g][k] / n; both[k] += (e[g][k] + e[g + n][k]) / (2 * n); }
                        }
                        return (plain, both);
                    }
                });
                foreach (bool flip in new[] { false, true })
                foreach (bool cosine in new[] { false, true })
                {
                    double D(LfwPair p)
                    {
                        var a = enc[p.PathA(imagesDir)]; var b = enc[p.PathB(imagesDir)];
                        var (x, y) = flip ? (a.Flip, b.Flip) : (a.Plain, b.Plain);
                        return cosine ? 1 - System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(x, y) : FaceAnalyzer.Distance(x, y);
                    }
                    var report = PairEvaluation.Run(test, D, train);
                    var testScores = PairEvaluation.Score(test, D);
                    var best = PairMetrics.BestAccuracy(testScores);
                    var trainScores = PairEvaluation.Score(train, D);
                    var trainBest = PairMetrics.BestAccuracy(trainScores);
                    // View 2's protocol over all 3200 View 1 pairs: ten balanced folds, each threshold from the other nine.
                    var folds = FoldProtocol.CrossValidate(FoldProtocol.AssignFolds(trainScores.Concat(testScores).ToList()));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"policy {policy,-6} geometry {geometry,-8} flip {flip,-5} {(cosine ? "cosine" : "euclid")}: DevTrain {trainBest.Accuracy:P2}, DevTest {report.Accuracy:P2} (thr {report.Threshold:F4}), oracle {best.Accuracy:P2}, AUC {report.Auc:F4}, 10-fold {folds.MeanAccuracy:P2} ± {folds.AccuracyStd:P2}, fallback {fallback}, {clock.Elapsed.TotalSeconds:F0} s"));
                }
            }
    }

    private static CachedFace? Choose(CachedImage c, string policy)
    {
        if (policy.StartsWith("centre", StringComparison.Ordinal) || policy == "multi") return c.Centre;
        double min = double.Parse(policy, CultureInfo.InvariantCulture);
        var candidates = c.Faces.Where(f => f.Score >= min).ToList();
        if (candidates.Count == 0) return c.Centre;
        float cx = c.Width / 2f, cy = c.Height / 2f;
        return candidates.MinBy(f => Sq(f.Box[0] + f.Box[2] / 2 - cx) + Sq(f.Box[1] + f.Box[3] / 2 - cy));
        static float Sq(float v) => v * v;
    }

    private readonly record struct Frame(double Dx, double Dy, double Sw, double Sh);

    // Median placement of confident detector boxes relative to the bounding box of their landmarks.
    private static Frame BoxFromLandmarksFrame(IEnumerable<CachedImage> images)
    {
        var rel = new List<(double, double, double, double)>();
        foreach (var f in images.SelectMany(i => i.Faces).Where(f => f.Score >= 0.5))
        {
            var (x0, y0, x1, y1) = Bounds(f);
            double w = x1 - x0, h = y1 - y0;
            rel.Add(((f.Box[0] + f.Box[2] / 2 - (x0 + x1) / 2) / w, (f.Box[1] + f.Box[3] / 2 - (y0 + y1) / 2) / h, f.Box[2] / w, f.Box[3] / h));
        }
        static double Median(IEnumerable<double> v) { var a = v.Order().ToArray(); return a[a.Length / 2]; }
        return new Frame(Median(rel.Select(r => r.Item1)), Median(rel.Select(r => r.Item2)), Median(rel.Select(r => r.Item3)), Median(rel.Select(r => r.Item4)));
    }

    private static (double, double, double, double) Bounds(CachedFace f)
    {
        double x0 = double.MaxValue, y0 = double.MaxValue, x1 = double.MinValue, y1 = double.MinValue;
        for (int i = 0; i < 68; i++)
        {
            x0 = Math.Min(x0, f.Points[2 * i]); x1 = Math.Max(x1, f.Points[2 * i]);
            y0 = Math.Min(y0, f.Points[2 * i + 1]); y1 = Math.Max(y1, f.Points[2 * i + 1]);
        }
        return (x0, y0, x1, y1);
    }

    private static FaceBox BoxFromLandmarks(CachedFace f, Frame frame)
    {
        var (x0, y0, x1, y1) = Bounds(f);
        double w = x1 - x0, h = y1 - y0;
        double cx = (x0 + x1) / 2 + frame.Dx * w, cy = (y0 + y1) / 2 + frame.Dy * h, bw = frame.Sw * w, bh = frame.Sh * h;
        return new FaceBox((float)(cx - bw / 2), (float)(cy - bh / 2), (float)bw, (float)bh);
    }

    internal static FaceLandmarks ToLandmarks(CachedFace f, RgbImage image)
    {
        var box = new FaceBox(f.Box[0], f.Box[1], f.Box[2], f.Box[3]);
        var points = Enumerable.Range(0, 68).Select(i => new Point2(f.Points[2 * i], f.Points[2 * i + 1])).ToList();
        return FaceLandmarks.FromPoints(box, box.ClipAndFloor(image.Width, image.Height), points);
    }

    // dlib's mean face (get_face_chip_details), points 17..67 on the unit square.
    private static readonly double[] MeanX =
    [
        0.000213256, 0.0752622, 0.18113, 0.29077, 0.393397, 0.586856, 0.689483, 0.799124, 0.904991, 0.98004, 0.490127, 0.490127, 0.490127,
        0.490127, 0.36688, 0.426036, 0.490127, 0.554217, 0.613373, 0.121737, 0.187122, 0.265825, 0.334606, 0.260918, 0.182743, 0.645647,
        0.714428, 0.793132, 0.858516, 0.79751, 0.719335, 0.254149, 0.340985, 0.428858, 0.490127, 0.551395, 0.639268, 0.726104, 0.642159,
        0.556721, 0.490127, 0.423532, 0.338094, 0.290379, 0.428096, 0.490127, 0.552157, 0.689874, 0.553364, 0.490127, 0.42689,
    ];
    private static readonly double[] MeanY =
    [
        0.106454, 0.038915, 0.0187482, 0.0344891, 0.0773906, 0.0773906, 0.0344891, 0.0187482, 0.038915, 0.106454, 0.203352, 0.307009,
        0.409805, 0.515625, 0.587326, 0.609345, 0.628106, 0.609345, 0.587326, 0.216423, 0.178758, 0.179852, 0.231733, 0.245099, 0.244077,
        0.231733, 0.179852, 0.178758, 0.216423, 0.244077, 0.245099, 0.780233, 0.745405, 0.727388, 0.742578, 0.727388, 0.745405, 0.780233,
        0.864805, 0.902192, 0.909281, 0.902192, 0.864805, 0.784792, 0.778746, 0.785343, 0.778746, 0.784792, 0.824182, 0.831803, 0.824182,
    ];

    private static Tensor MakeChip(RgbImage image, FaceLandmarks l, string geometry)
    {
        const double padding = 0.25;
        (double, double) T(int i) => ((padding + MeanX[i - 17]) / (2 * padding + 1) * 150, (padding + MeanY[i - 17]) / (2 * padding + 1) * 150);
        (double, double) P(int i) => (l.Points[i].X, l.Points[i].Y);
        if (geometry.StartsWith("faceapi@", StringComparison.Ordinal))
        {
            var j = geometry["faceapi@".Length..].Split(':').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var r = DlibCrop.FromLandmarks(l);
            int size = (int)Math.Round(r.Width * j[2]);
            var moved = new FaceBox((float)(r.X + j[0] + (r.Width - size) / 2.0), (float)(r.Y + j[1] + (r.Height - size) / 2.0), size, size);
            var crop = moved.ClipAndFloor(image.Width, image.Height);
            using var raw = FaceCrops.CropToTensor(image, crop);
            return FaceCrops.SquareAndResize(raw, 150);
        }
        if (geometry.StartsWith("ajitter:", StringComparison.Ordinal))
        {
            // dlib's jitter_image on the landmark-aligned chip: inside the chip shrunk by 3 px, a square of side
            // 144/U(0.97, 1) moved by ±2 % and turned by ±3°, resampled to 150 (mirroring is the flip variant).
            var seedAndIndex = geometry.Split(':');
            // Seeded by the image path's stable hash and the jitter's index (HashCode is randomised per process).
            var rng = new Random(unchecked(int.Parse(seedAndIndex[1], CultureInfo.InvariantCulture) * 1000003 + int.Parse(seedAndIndex[2], CultureInfo.InvariantCulture)));
            double Range(double lo, double hi) => lo + (hi - lo) * rng.NextDouble();
            const double inner = 144, centre = 75;
            double cx = centre + Range(-0.02, 0.02) * inner, cy = centre + Range(-0.02, 0.02) * inner;
            double box = inner / Range(0.97, 0.99999), angle = Range(-3, 3) * Math.PI / 180;
            // chip → jittered chip: v = 75 + (150/box)·R(−angle)·(p − (cx, cy)).
            double scale = 150 / box, a = scale * Math.Cos(-angle), b = scale * Math.Sin(-angle);
            var jitter = new SimilarityTransform(a, b, centre - (a * cx - b * cy), centre - (b * cx + a * cy));
            var toChip = LandmarkAlignment.ImageToChip(l);
            // jitter ∘ toChip
            var composed = new SimilarityTransform(jitter.A * toChip.A - jitter.B * toChip.B, jitter.B * toChip.A + jitter.A * toChip.B,
                jitter.A * toChip.Tx - jitter.B * toChip.Ty + jitter.Tx, jitter.B * toChip.Tx + jitter.A * toChip.Ty + jitter.Ty);
            return LandmarkAlignment.Chip(image, composed);
        }
        switch (geometry)
        {
            case "faceapi":
                {
                    var crop = DlibCrop.FromLandmarks(l).ToFaceBox().ClipAndFloor(image.Width, image.Height);
                    using var raw = FaceCrops.CropToTensor(image, crop);
                    return FaceCrops.SquareAndResize(raw, 150);
                }
            case "template": return LandmarkAlignment.Chip(image, l);
            case "dlib5":
                {
                    int[] idx = [36, 39, 42, 45, 33];
                    return LandmarkAlignment.Chip(image, SimilarityTransform.Estimate(idx.Select(P).ToList(), idx.Select(T).ToList()));
                }
            case "dlib68":
                {
                    var idx = Enumerable.Range(17, 51).Where(i => !(i <= 26 || (i >= 55 && i <= 59) || i >= 65 || i is 49 or 53 or 60 or 64)).ToList();
                    return LandmarkAlignment.Chip(image, SimilarityTransform.Estimate(idx.Select(P).ToList(), idx.Select(T).ToList()));
                }
            case "dlib68cpp":
                {
                    // dlib's own get_face_chip_details: points 27–67 without the lower lip (55–59, 65–67).
                    var idx = Enumerable.Range(27, 41).Where(i => !((i >= 55 && i <= 59) || i >= 65)).ToList();
                    return LandmarkAlignment.Chip(image, SimilarityTransform.Estimate(idx.Select(P).ToList(), idx.Select(T).ToList()));
                }
            case "dlib68all":
                {
                    var idx = Enumerable.Range(17, 51).ToList();
                    return LandmarkAlignment.Chip(image, SimilarityTransform.Estimate(idx.Select(P).ToList(), idx.Select(T).ToList()));
                }
            default: throw new ArgumentException("unknown geometry " + geometry);
        }
    }

    private static int StableHash(string text)
    {
        unchecked
        {
            int h = 17;
            foreach (char c in text) h = h * 31 + c;
            return h & 0x7fffffff;
        }
    }

    private static Dictionary<string, CachedImage> BuildCache(List<string> paths, int workers, string cachePath)
    {
        using var analyzer = FaceAnalyzer.Load(new FaceAnalyzerOptions { MinConfidence = 0.05 });
        var result = new System.Collections.Concurrent.ConcurrentDictionary<string, CachedImage>();
        var clock = Stopwatch.StartNew();
        int done = 0;
        Parallel.ForEach(paths, new ParallelOptions { MaxDegreeOfParallelism = workers }, path =>
        {
            var image = ImageDecoder.Load(path);
            var faces = analyzer.Detect(image).Select(Cached).ToList();
            var centre = analyzer.FaceIn(image, DatasetFace.CentreBox(image));
            result[path] = new CachedImage(path, image.Width, image.Height, faces, centre is null ? null : Cached(centre));
            int n = Interlocked.Increment(ref done);
            if (n % 500 == 0) Console.Error.WriteLine($"{n}/{paths.Count} images, {clock.Elapsed.TotalSeconds:F0} s");
        });
        File.WriteAllText(cachePath, JsonSerializer.Serialize(result.Values.ToList()));
        Console.Error.WriteLine($"cached {result.Count} images in {clock.Elapsed.TotalSeconds:F0} s → {cachePath}");
        return result.ToDictionary(kv => kv.Key, kv => kv.Value);

        static CachedFace Cached(DetectedFace f) => new([f.Box.X, f.Box.Y, f.Box.Width, f.Box.Height], f.Score,
            f.Landmarks.Points.SelectMany(p => new[] { p.X, p.Y }).ToArray());
    }
}
