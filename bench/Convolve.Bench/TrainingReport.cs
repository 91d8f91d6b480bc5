using System.Diagnostics;
using System.Globalization;
using System.Text;
using Convolve.Data;
using Convolve.Faces;
using Convolve.Faces.Encoding;
using Convolve.Faces.Evaluation;
using Convolve.Faces.Training;
using Convolve.Imaging;
using Convolve.Nn;
using Convolve.Training;
using Convolve.Weights;
using static TorchSharp.torch;

namespace Convolve.Bench;

/// <summary>
/// Generates the LFW table of docs/training.md (`-- training [--lfw DIR] [--work DIR] [--epochs N] [--finetune-epochs N]`):
/// learns on the people of pairsDevTrain (never those of pairsDevTest) and measures on pairsDevTest with the threshold
/// chosen on pairsDevTrain: (a) a small residual network from scratch with each miner, (b) the pretrained face network
/// fine-tuned, (c) the binary head fitted on pretrained encodings against a plain threshold on their distance.
/// </summary>
public static class TrainingReport
{
    private const string Begin = "<!-- lfw-training-table:begin -->";
    private const string End = "<!-- lfw-training-table:end -->";

    private sealed record Row(string Method, string Training, EvaluationReport Report, double TrainSeconds, double SamplesPerSecond);

    public static void Run(string[] args)
    {
        string lfw = LfwData.Locate(args);
        string work = LfwData.Option(args, "--work") ?? Path.Combine(Path.GetTempPath(), "convolve-lfw-training");
        int epochs = Int(args, "--epochs", 5), finetuneEpochs = Int(args, "--finetune-epochs", 2), size = Int(args, "--size", 64);
        int width = Int(args, "--width", 16), headSteps = Int(args, "--head-steps", 3000);
        string[] miners = (LfwData.Option(args, "--miners") ?? "semihard,hard,all,random").Split(',');
        string output = LfwData.Option(args, "--out") ?? Path.Combine(LfwData.RepoRoot(), "docs", "training.md");
        set_num_threads(Int(args, "--torch-threads", Environment.ProcessorCount));
        var total = Stopwatch.StartNew();

        string images = Path.Combine(lfw, "images");
        PairFile trainPairs = PairFileParser.Parse(Path.Combine(lfw, "pairsDevTrain.txt"));
        PairFile testPairs = PairFileParser.Parse(Path.Combine(lfw, "pairsDevTest.txt"));
        string chips = Path.Combine(work, "chips");
        double chipSeconds = MakeChips(images, chips, Int(args, "--workers", 2));
        string trainRoot = TrainingTree(lfw, chips, Path.Combine(work, "train"));
        string ChipOf(string name, int index) => Path.Combine(chips, name, $"{name}_{index:D4}.png");
        var pairChips = trainPairs.Pairs.Concat(testPairs.Pairs).SelectMany(p => new[] { ChipOf(p.NameA, p.IndexA), ChipOf(p.NameB, p.IndexB) }).Distinct().ToList();

        var rows = new List<Row>();
        var store = ModelStore.Default;

        var trainData = FaceChipDataset.Load(trainRoot);

        // Baseline and (c): the pretrained network's encodings, compared by distance or by a fitted head.
        using (var pretrained = FaceEncoder.Load(store))
        {
            var encodings = Encode(pretrained, pairChips);
            rows.Add(new Row("pretrained FaceRecognitionNet, threshold on distance", "none (dlib's training)", Evaluate(encodings, trainPairs, testPairs, ChipOf), 0, 0));
            var trainEncodings = Encode(pretrained, trainData.Samples.Select(s => s.Source).ToList());
            foreach (var feature in new[] { PairFeature.AbsoluteDifference, PairFeature.ChiSquare })
            {
                var clock = Stopwatch.StartNew();
                using var head = SiameseHeadFitting.Fit(trainData.Samples.Select(s => trainEncodings[s.Source]).ToList(),
                    trainData.Samples.Select(s => s.Identity).ToList(), new HeadFittingOptions { Feature = feature, Steps = headSteps, Seed = 0 });
                double seconds = clock.Elapsed.TotalSeconds;
                // All pair logits in one batch; the protocol then reads them as distance = −logit.
                var allPairs = trainPairs.Pairs.Concat(testPairs.Pairs).ToList();
                var logits = head.Score(allPairs.Select(p => (encodings[ChipOf(p.NameA, p.IndexA)], encodings[ChipOf(p.NameB, p.IndexB)])).ToList());
                var logitOf = new Dictionary<LfwPair, double>(ReferenceEqualityComparer.Instance as IEqualityComparer<LfwPair>);
                for (int i = 0; i < allPairs.Count; i++) logitOf[allPairs[i]] = logits[i];
                var report = PairEvaluation.Run(testPairs, p => -logitOf[p], trainPairs);
                string form = feature == PairFeature.AbsoluteDifference ? "absolute difference" : "χ²";
                rows.Add(new Row($"binary head ({form}) on pretrained encodings", $"{headSteps} steps, {trainData.Samples.Count} encodings", report, seconds, 0));
                Console.WriteLine(Inv($"head {feature}: DevTest {report.Accuracy:P2}, AUC {report.Auc:F4} ({seconds:F0} s)"));
            }
        }

        // (b) fine-tuning the pretrained network.
        {
            int trainable = Int(args, "--trainable-blocks", 3);
            var options = new TrainingOptions
            {
                FaceFineTuning = new FaceFineTuning { TrainableBlocks = trainable },
                LearningRate = FaceFineTuning.SuggestedLearningRate, Epochs = finetuneEpochs, IdentitiesPerBatch = 16, SamplesPerIdentity = 4,
                Mining = MiningStrategy.SemiHard, Margin = 0.2, Seed = 0,
            };
            rows.Add(TrainAndEvaluate($"fine-tuned FaceRecognitionNet (last {trainable} units), semi-hard triplets", trainData, options, Path.Combine(work, "finetune"),
                pairChips, trainPairs, testPairs, ChipOf, store));
        }

        // (a) a small network from scratch with each miner.
        foreach (string miner in miners)
        {
            var mining = miner switch { "semihard" => MiningStrategy.SemiHard, "hard" => MiningStrategy.Hard, "all" => MiningStrategy.All, _ => MiningStrategy.Random };
            var data = FolderDataset.Load(trainRoot, Modality.Image, size);
            var options = new TrainingOptions
            {
                Network = new ResidualNetworkOptions { Width = width, StemStride = 2, Stages = 4, BlocksPerStage = 1, EmbeddingSize = 128 },
                Mining = mining, Margin = 0.2, Epochs = epochs, IdentitiesPerBatch = 16, SamplesPerIdentity = 4, LearningRate = 1e-3, Seed = 0,
            };
            rows.Add(TrainAndEvaluate($"ResNet from scratch ({size}×{size}, width {width}), {miner} triplets", data, options, Path.Combine(work, "scratch-" + miner),
                pairChips, trainPairs, testPairs, ChipOf, store));
        }

        WriteTable(output, rows, trainPairs, testPairs, chipSeconds, total.Elapsed.TotalSeconds, epochs, finetuneEpochs);
    }

    private static Row TrainAndEvaluate(string method, IdentityDataset data, TrainingOptions options, string outDir, List<string> pairChips,
        PairFile trainPairs, PairFile testPairs, Func<string, int, string> chipOf, ModelStore store)
    {
        if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
        var clock = Stopwatch.StartNew();
        var callbacks = new TrainingCallbacks
        {
            Epoch = e => Console.WriteLine(Inv($"  {method}: epoch {e.Epoch + 1} loss {e.MeanLoss:F4} active {e.MeanActiveFraction:P0} d(A,P) {e.MeanPositiveDistance:F3} d(A,N) {e.MeanNegativeDistance:F3} {e.SamplesPerSecond:F0} samples/s")),
        };
        using var result = SimilarityTrainer.Train(data, null, options, outDir, callbacks);
        double seconds = clock.Elapsed.TotalSeconds;
        var model = TrainedFaceModel.Load(Path.Combine(outDir, SimilarityTrainer.LastFolder), store);
        using var encoder = model.Encoder;
        var report = Evaluate(Encode(encoder, pairChips), trainPairs, testPairs, chipOf);
        string training = Inv($"{options.Epochs} epochs × {data.Samples.Count} chips of {data.Identities.Count} people");
        Console.WriteLine(Inv($"{method}: DevTest {report.Accuracy:P2}, AUC {report.Auc:F4}, {seconds:F0} s, {result.SamplesPerSecond:F0} samples/s"));
        return new Row(method, training, report, seconds, result.SamplesPerSecond);
    }

    private static EvaluationReport Evaluate(IReadOnlyDictionary<string, float[]> encodings, PairFile trainPairs, PairFile testPairs, Func<string, int, string> chipOf) =>
        PairEvaluation.Run(testPairs, p => FaceAnalyzer.Distance(encodings[chipOf(p.NameA, p.IndexA)], encodings[chipOf(p.NameB, p.IndexB)]), trainPairs);

    internal static Dictionary<string, float[]> Encode(IChipEncoder encoder, IReadOnlyList<string> chipPaths, bool averageWithMirror = false, Func<Tensor, Tensor>? transform = null)
    {
        var result = new Dictionary<string, float[]>();
        foreach (var chunk in chipPaths.Chunk(32))
        {
            using var scope = NewDisposeScope();
            var batch = cat(chunk.Select(p => ImageDecoder.Load(p).ToTensor()).ToArray(), 0);
            var e = encoder.EncodeChips(transform is null ? batch : transform(batch), averageWithMirror);
            for (int i = 0; i < chunk.Length; i++) result[chunk[i]] = e[i];
        }
        return result;
    }

    /// <summary>Chips of every LFW image (once; reused while the folder is complete). Returns the seconds it took.</summary>
    internal static double MakeChips(string images, string chips, int workers)
    {
        string done = Path.Combine(chips, ".complete");
        if (File.Exists(done)) return double.Parse(File.ReadAllText(done), CultureInfo.InvariantCulture);
        var clock = Stopwatch.StartNew();
        // face-api's crop, as the committed table says (the library's default alignment is now the landmark alignment).
        using var analyzer = FaceAnalyzer.Load(new FaceAnalyzerOptions { Alignment = FaceAlignment.FaceApiCrop });
        int n = 0;
        var report = new FaceChipExtractor(analyzer, FaceLocation.CentreBox).ExtractAll(images, chips, _ =>
        {
            if (Interlocked.Increment(ref n) % 500 == 0) Console.Error.WriteLine($"{n} chips, {clock.Elapsed.TotalSeconds:F0} s");
        }, threads: workers);
        if (report.Failed.Count > 0) throw new InvalidOperationException($"{report.Failed.Count} images failed, e.g. {report.Failed[0]}");
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(Inv($"chips: {report.Chips} of {report.Images} images (landmarks in the centred box, no detector), {seconds:F0} s"));
        File.WriteAllText(done, seconds.ToString(CultureInfo.InvariantCulture));
        return seconds;
    }

    /// <summary>An identity tree of links to the chips of the DevTrain people with two or more images (DevTest people are disjoint).</summary>
    internal static string TrainingTree(string lfw, string chips, string root)
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        Directory.CreateDirectory(root);
        foreach (var line in File.ReadLines(Path.Combine(lfw, "peopleDevTrain.txt")).Skip(1))
        {
            var parts = line.Split('\t', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && int.Parse(parts[1], CultureInfo.InvariantCulture) >= 2)
                Directory.CreateSymbolicLink(Path.Combine(root, parts[0]), Path.Combine(chips, parts[0]));
        }
        return root;
    }

    private static void WriteTable(string output, List<Row> rows, PairFile trainPairs, PairFile testPairs, double chipSeconds, double totalSeconds, int epochs, int finetuneEpochs)
    {
        var md = new StringBuilder();
        md.AppendLine(Begin);
        md.AppendLine(Inv($"Generated by `dotnet run -c Release --project bench/Convolve.Bench -- training --epochs {epochs} --finetune-epochs {finetuneEpochs}` on {Environment.ProcessorCount} cores (do not edit by hand). Training uses only the LFW View 1 DevTrain people with two or more images; the threshold is the best one on `pairsDevTrain.txt` ({trainPairs.Pairs.Count} pairs) and accuracy is measured on `pairsDevTest.txt` ({testPairs.Pairs.Count} pairs, people disjoint from training). Face chips (150×150, face-api crop of the landmarks found in the centred box, `faces chips --centred`) were cut once in {chipSeconds:F0} s; the whole run took {totalSeconds / 60:F0} min."));
        md.AppendLine();
        md.AppendLine("| method | training | DevTest accuracy | AUC | EER | threshold (DevTrain) | training wall time | samples/s |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
            md.AppendLine(Inv($"| {r.Method} | {r.Training} | {r.Report.Accuracy:P2} | {r.Report.Auc:F4} | {r.Report.Eer:P2} | {r.Report.Threshold:F4} | {(r.TrainSeconds > 0 ? $"{r.TrainSeconds:F0} s" : "—")} | {(r.SamplesPerSecond > 0 ? $"{r.SamplesPerSecond:F0}" : "—")} |"));
        md.AppendLine(End);

        string text = File.Exists(output) ? File.ReadAllText(output) : "# Training\n\n";
        int b = text.IndexOf(Begin, StringComparison.Ordinal), e = text.IndexOf(End, StringComparison.Ordinal);
        text = b >= 0 && e > b ? text[..b] + md.ToString().TrimEnd('\n') + text[(e + End.Length)..] : text.TrimEnd('\n') + "\n\n## Real faces: LFW View 1\n\n" + md;
        File.WriteAllText(output, text);
        Console.WriteLine($"wrote {output}");
    }

    private static int Int(string[] args, string name, int fallback) => int.Parse(LfwData.Option(args, name) ?? fallback.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
