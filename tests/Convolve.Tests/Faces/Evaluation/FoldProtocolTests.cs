using System.Text.Json;
using Convolve.Faces.Evaluation;

namespace Convolve.Tests.Faces.Evaluation;

public class FoldProtocolTests
{
    [Fact]
    public void Each_fold_is_judged_with_the_threshold_chosen_on_the_others()
    {
        ScoredPair[] pairs =
        [
            new(true, 0.2, 0), new(false, 0.6, 0),
            new(true, 0.4, 1), new(false, 0.9, 1),
            new(true, 0.45, 2), new(false, 0.8, 2),
        ];
        // Held out 0: folds 1+2 sort 0.4S 0.45S 0.8D 0.9D → τ = (0.45+0.8)/2 = 0.625; fold 0: 0.2 right, 0.6 wrongly accepted → ½.
        // Held out 1: 0.2S 0.45S 0.6D 0.8D → τ = 0.525; fold 1: 0.4 accepted, 0.9 rejected → 1.
        // Held out 2: 0.2S 0.4S 0.6D 0.9D → τ = 0.5; fold 2: 0.45 accepted, 0.8 rejected → 1.
        CrossValidation cv = FoldProtocol.CrossValidate(pairs);
        Assert.Equal([0.625, 0.525, 0.5], cv.Folds.Select(f => Math.Round(f.Threshold, 12)));
        Assert.Equal([0.5, 1.0, 1.0], cv.Folds.Select(f => f.Accuracy));
        Assert.Equal(2.5 / 3, cv.MeanAccuracy, 12);
        // Sample std: sqrt(((½ − ⅚)² + 2(⅙)²) / 2) = sqrt(1/12)
        Assert.Equal(Math.Sqrt(1.0 / 12), cv.AccuracyStd, 12);
        Assert.Equal(Math.Sqrt(1.0 / 12) / Math.Sqrt(3), cv.StandardError, 12);
    }

    [Fact]
    public void Single_split_pairs_are_spread_over_balanced_folds()
    {
        var pairs = Enumerable.Range(0, 40).Select(i => new ScoredPair(i < 20, i)).ToList();
        IReadOnlyList<ScoredPair> folded = FoldProtocol.AssignFolds(pairs);
        foreach (var fold in folded.GroupBy(p => p.Fold))
            Assert.Equal((2, 2), (fold.Count(p => p.Same), fold.Count(p => !p.Same)));
        Assert.Equal(10, folded.Select(p => p.Fold).Distinct().Count());
    }

    [Fact]
    public void Ten_fold_file_report_has_the_documented_json_fields()
    {
        // 2 folds of 2 same + 2 different; the "distance" is read from the image numbers so the test controls it.
        const string text = "2\t2\nA\t1\t2\nB\t1\t3\nA\t1\tB\t8\nC\t1\tD\t9\nE\t1\t2\nF\t1\t4\nE\t1\tF\t7\nG\t1\tH\t5\n";
        PairFile file = PairFileParser.Parse("pairs.txt", new StringReader(text));
        EvaluationReport report = PairEvaluation.Run(file, p => (p.IndexA + p.IndexB) / 10.0) with { Undetected = 3 };

        // Distances: fold 0 same 0.3, 0.4; different 0.9, 1.0; fold 1 same 0.3, 0.5; different 0.8, 0.6.
        // Held out 0: τ from fold 1 = (0.5+0.6)/2 = 0.55 → fold 0 all right (1). Held out 1: τ from fold 0 =
        // (0.4+0.9)/2 = 0.65 → fold 1's different pair at 0.6 is accepted (¾). Mean ⅞, sample std sqrt(2·⅛²).
        Assert.Equal(8, report.Pairs);
        Assert.Equal([0.55, 0.65], report.Folds.Select(f => Math.Round(f.Threshold, 12)));
        Assert.Equal(0.875, report.Accuracy);
        Assert.Equal(Math.Sqrt(2 * 0.125 * 0.125), report.AccuracyStd!.Value, 12);
        Assert.Equal(1.0, report.Auc);
        Assert.Equal(0.0, report.Eer);
        Assert.Equal(0.55, report.Threshold, 12); // between 0.5 (largest same) and 0.6 (smallest different)
        Assert.Equal(2, report.Folds.Count);

        using JsonDocument json = JsonDocument.Parse(report.ToJson());
        JsonElement root = json.RootElement;
        foreach (string field in new[] { "pairs", "accuracy", "accuracy_std", "auc", "eer", "tar_at_far", "threshold", "undetected" })
            Assert.True(root.TryGetProperty(field, out _), field);
        Assert.Equal(3, root.GetProperty("undetected").GetInt32());
        Assert.Equal(0.75, root.GetProperty("folds")[1].GetProperty("accuracy").GetDouble());
        // Four different pairs cannot measure FAR 0.001 or 0.01: null, with the reason in the notes.
        Assert.Equal(JsonValueKind.Null, root.GetProperty("tar_at_far").GetProperty("0.001").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("tar_at_far").GetProperty("0.01").ValueKind);
        Assert.Contains(report.Notes, n => n.Contains("needs at least 1000"));
    }

    [Fact]
    public void Train_test_protocol_takes_the_threshold_from_the_training_file()
    {
        PairFile train = PairFileParser.Parse("pairsDevTrain.txt", new StringReader("1\nA\t1\t2\nA\t1\tB\t5\n"));
        PairFile test = PairFileParser.Parse("pairsDevTest.txt", new StringReader("2\nC\t1\t3\nD\t2\t2\nC\t1\tD\t3\nE\t1\tF\t1\n"));
        // Training distances: same 0.3, different 0.6 → τ = 0.45. Test: same 0.4 ✓, 0.4 ✓; different 0.4 ✗, 0.2 ✗.
        EvaluationReport report = PairEvaluation.Run(test, p => (p.IndexA + p.IndexB) / 10.0, trainingPairs: train);
        Assert.Equal(0.45, report.Threshold, 12);
        Assert.Equal(0.5, report.Accuracy);
        Assert.Null(report.AccuracyStd);
        Assert.Contains("pairsDevTrain.txt", report.Protocol);
    }
}
