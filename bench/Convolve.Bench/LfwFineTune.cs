using System.Diagnostics;
using System.Globalization;
using Convolve.Faces;
using Convolve.Faces.Encoding;
using Convolve.Faces.Evaluation;
using Convolve.Faces.Training;
using Convolve.Models;
using Convolve.Training;
using Convolve.Weights;
using static TorchSharp.torch;
using static System.FormattableString;

namespace Convolve.Bench;

/// <summary>
/// Issue 5 item 7 experiment (`-- lfw-finetune [--configs BLOCKS:LR:EPOCHS,…] [--validation 0.2] [--seed 0]`): fine-tunes
/// the pretrained face network on DevTrain people and measures DevTest with a threshold that never saw a trained
/// person. The DevTrain people with two or more images are split by identity; the network learns on one part, and the
/// threshold is chosen on LFW-like pairs of the held-out part (at most 3 same pairs per person, as many different
/// pairs). The pretrained network is measured under the same protocol, so the rows compare like with like.
/// (docs/training.md's table chose the threshold on pairsDevTrain, whose people the fine-tune had trained on.)
/// </summary>
public static class LfwFineTune
{
    public static void Run(string[] args)
    {
        string lfw = LfwData.Locate(args);
        string work = LfwData.Option(args, "--work") ?? Path.Combine(Path.GetTempPath(), "convolve-lfw-training");
        double validationFraction = double.Parse(LfwData.Option(args, "--validation") ?? "0.2", CultureInfo.InvariantCulture);
        int seed = int.Parse(LfwData.Option(args, "--seed") ?? "0", CultureInfo.InvariantCulture);
        string margin = LfwData.Option(args, "--margin") ?? "0.2";
        string[] configs = (LfwData.Option(args, "--configs") ?? "3:1e-5:2").Split(',', StringSplitOptions.RemoveEmptyEntries);
        set_num_threads(int.Parse(LfwData.Option(args, "--torch-threads") ?? Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));

        string chips = Path.Combine(work, "chips");
        TrainingReport.MakeChips(Path.Combine(lfw, "images"), chips, 2);
        var data = FaceChipDataset.Load(TrainingReport.TrainingTree(lfw, chips, Path.Combine(work, "train")));
        var (train, heldOut) = data.SplitByIdentity(validationFraction, seed);
        var validation = LfwLikePairs(heldOut, seed);
        PairFile test = PairFileParser.Parse(Path.Combine(lfw, "pairsDevTest.txt"));
        string ChipOf(string name, int index) => Path.Combine(chips, name, $"{name}_{index:D4}.png");
        var testPairs = test.Pairs.Select(p => (A: ChipOf(p.NameA, p.IndexA), B: ChipOf(p.NameB, p.IndexB), p.Same)).ToList();
        // pairsDevTrain gives the usual threshold for networks that never trained on its people (the pretrained rows).
        var devTrainPairs = PairFileParser.Parse(Path.Combine(lfw, "pairsDevTrain.txt")).Pairs.Select(p => (A: ChipOf(p.NameA, p.IndexA), B: ChipOf(p.NameB, p.IndexB), p.Same)).ToList();
        var paths = testPairs.SelectMany(p => new[] { p.A, p.B }).Concat(validation.SelectMany(p => new[] { p.A, p.B }))
            .Concat(devTrainPairs.SelectMany(p => new[] { p.A, p.B })).Distinct().ToList();
        Console.WriteLine(Invariant($"train: {train.Identities.Count} people, {train.Samples.Count} chips; threshold from {validation.Count} pairs of {heldOut.Identities.Count} held-out people; DevTest {testPairs.Count} pairs"));

        var store = ModelStore.Default;
        var rows = new Dictionary<string, Dictionary<string, float[]>>();
        using (var pretrained = FaceEncoder.Load(store))
        {
            rows["pretrained"] = TrainingReport.Encode(pretrained, paths);
            rows["pretrained + flip"] = TrainingReport.Encode(pretrained, paths, averageWithMirror: true);
        }
        if (args.Contains("--dlib-scale"))
        {
            // dlib's input layer divides by 256 where face-api divides by 255: feed mean + (x − mean)·255/256.
            using var pretrained = FaceEncoder.Load(store);
            using var mean = tensor(FaceRecognitionNet.MeanRgb.ToArray()).reshape(1, 3, 1, 1);
            Tensor Rescale(Tensor x) => x.sub(mean).mul(255.0 / 256.0).add(mean);
            rows["pretrained, /256"] = TrainingReport.Encode(pretrained, paths, transform: Rescale);
            rows["pretrained + flip, /256"] = TrainingReport.Encode(pretrained, paths, averageWithMirror: true, transform: Rescale);
        }
        var sets = new PairSets(validation, testPairs, devTrainPairs);
        foreach (var (name, encodings) in rows) Report(name, Euclid(encodings), sets);

        foreach (string config in configs)
        {
            var parts = config.Split(':');
            int blocks = int.Parse(parts[0], CultureInfo.InvariantCulture), epochs = int.Parse(parts[2], CultureInfo.InvariantCulture);
            double lr = double.Parse(parts[1], CultureInfo.InvariantCulture);
            var options = new TrainingOptions
            {
                FaceFineTuning = new FaceFineTuning { TrainableBlocks = blocks },
                LearningRate = lr, Epochs = epochs, IdentitiesPerBatch = 16, SamplesPerIdentity = 4,
                Mining = MiningStrategy.SemiHard, Margin = double.Parse(margin, CultureInfo.InvariantCulture), Seed = seed,
            };
            string outDir = Path.Combine(work, $"ft-{blocks}-{lr:0e0}-{epochs}-s{seed}-m{margin}");
            if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
            var clock = Stopwatch.StartNew();
            var callbacks = new TrainingCallbacks
            {
                Epoch = e => Console.WriteLine(Invariant($"  {config}: epoch {e.Epoch + 1} loss {e.MeanLoss:F4} active {e.MeanActiveFraction:P0} validation AUC {e.Validation?.Auc:F4} acc {e.Validation?.BestAccuracy:P2} {e.SamplesPerSecond:F0} samples/s")),
            };
            using (SimilarityTrainer.Train(train, heldOut, options, outDir, callbacks)) { }
            var model = TrainedFaceModel.Load(Path.Combine(outDir, SimilarityTrainer.LastFolder), store);
            using var encoder = model.Encoder;
            string name = $"fine-tuned {blocks} units, lr {lr:0e0}, {epochs} epochs";
            rows[name] = TrainingReport.Encode(encoder, paths);
            rows[name + " + flip"] = TrainingReport.Encode(encoder, paths, averageWithMirror: true);
            Console.WriteLine(Invariant($"{name}: trained in {clock.Elapsed.TotalSeconds:F0} s"));
            Report(name, Euclid(rows[name]), sets);
            Report(name + " + flip", Euclid(rows[name + " + flip"]), sets);
            Report(name + " + flip, fused with pretrained + flip", Fused(rows[name + " + flip"], rows["pretrained + flip"], sets), sets);
        }
    }

    /// <summary>LFW's construction on held-out people: up to 3 same pairs per person, then as many different pairs.</summary>
    private static List<(string A, string B, bool Same)> LfwLikePairs(Convolve.Data.IdentityDataset people, int seed)
    {
        var rng = new Random(seed + 17);
        var pairs = new List<(string A, string B, bool Same)>();
        for (int id = 0; id < people.Identities.Count; id++)
        {
            var own = people.SamplesOf(id);
            var all = new List<(int, int)>();
            for (int a = 0; a < own.Count; a++)
                for (int b = a + 1; b < own.Count; b++) all.Add((own[a], own[b]));
            foreach (var (a, b) in all.OrderBy(_ => rng.Next()).Take(3)) pairs.Add((people.Samples[a].Source, people.Samples[b].Source, true));
        }
        int same = pairs.Count;
        while (pairs.Count < 2 * same)
        {
            int x = rng.Next(people.Identities.Count), y = rng.Next(people.Identities.Count);
            if (x == y) continue;
            var ox = people.SamplesOf(x);
            var oy = people.SamplesOf(y);
            pairs.Add((people.Samples[ox[rng.Next(ox.Count)]].Source, people.Samples[oy[rng.Next(oy.Count)]].Source, false));
        }
        return pairs;
    }

    /// <summary>The pairs every row is scored on: threshold, test, and pairsDevTrain.</summary>
    private sealed record PairSets(List<(string A, string B, bool Same)> Validation, List<(string A, string B, bool Same)> Test, List<(string A, string B, bool Same)> DevTrain);

    private static Func<string, string, double> Euclid(Dictionary<string, float[]> e) => (a, b) => FaceAnalyzer.Distance(e[a], e[b]);

    /// <summary>Two encodings' distances, each divided by its own validation threshold so that the two scales meet at 1, summed.</summary>
    private static Func<string, string, double> Fused(Dictionary<string, float[]> first, Dictionary<string, float[]> second, PairSets sets)
    {
        double t1 = PairMetrics.BestAccuracy(Score(sets.Validation, Euclid(first))).Threshold;
        double t2 = PairMetrics.BestAccuracy(Score(sets.Validation, Euclid(second))).Threshold;
        return (a, b) => Euclid(first)(a, b) / t1 + Euclid(second)(a, b) / t2;
    }

    private static void Report(string name, Func<string, string, double> distance, PairSets sets)
    {
        var v = Score(sets.Validation, distance);
        var t = Score(sets.Test, distance);
        var report = PairEvaluation.Evaluate(t, v, "threshold from held-out DevTrain people");
        var valBest = PairMetrics.BestAccuracy(v);
        var oracle = PairMetrics.BestAccuracy(t);
        int errors = (int)Math.Round((1 - report.Accuracy) * t.Count);
        // Biased for fine-tuned networks (they trained on pairsDevTrain's people); the usual protocol for the others.
        double devTrainThreshold = PairMetrics.BestAccuracy(Score(sets.DevTrain, distance)).Threshold;
        Console.WriteLine(Invariant($"| {name} | {valBest.Accuracy:P2} | {report.Accuracy:P2} ({errors} errors) | {PairMetrics.Accuracy(t, devTrainThreshold):P2} | {oracle.Accuracy:P2} | {report.Auc:F4} | {report.Threshold:F4} |"));
    }

    private static List<ScoredPair> Score(List<(string A, string B, bool Same)> pairs, Func<string, string, double> distance) =>
        pairs.Select(p => new ScoredPair(p.Same, distance(p.A, p.B))).ToList();

}
