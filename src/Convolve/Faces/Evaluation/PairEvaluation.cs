using System.Globalization;

namespace Convolve.Faces.Evaluation;

/// <summary>
/// Evaluates a distance function on an LFW-format pair file. The caller supplies the distance per pair (and caches
/// encodings per image); this class scores the pairs once and applies the protocol:
/// <list type="bullet">
/// <item>a 10-fold file (View 2): threshold chosen on nine folds, accuracy on the tenth, mean ± std;</item>
/// <item>a single-split file with training pairs (View 1 DevTest with DevTrain): threshold chosen on the training
/// pairs, accuracy on the test pairs;</item>
/// <item>a single-split file alone: 10-fold cross-validation over its pairs (folds assigned by
/// <see cref="FoldProtocol.AssignFolds"/>).</item>
/// </list>
/// AUC, EER, TAR@FAR are computed on all evaluated pairs. Set <see cref="EvaluationReport.Undetected"/> with a
/// <c>with</c> expression once the caller knows it.
/// </summary>
public static class PairEvaluation
{
    /// <summary>The FAR targets reported by default.</summary>
    public static readonly IReadOnlyList<double> DefaultFarTargets = [1e-3, 1e-2];

    /// <summary>Scores every pair with <paramref name="distance"/> (called once per pair, in file order).</summary>
    public static IReadOnlyList<ScoredPair> Score(PairFile pairs, Func<LfwPair, double> distance) =>
        pairs.Pairs.Select(p => new ScoredPair(p.Same, distance(p), p.Fold)).ToList();

    /// <summary>Scores and evaluates <paramref name="pairs"/> (see the class remarks for the protocol).</summary>
    public static EvaluationReport Run(PairFile pairs, Func<LfwPair, double> distance, PairFile? trainingPairs = null, IReadOnlyList<double>? farTargets = null)
    {
        IReadOnlyList<ScoredPair> test = Score(pairs, distance);
        IReadOnlyList<ScoredPair>? training = trainingPairs is null ? null : Score(trainingPairs, distance);
        string protocol = pairs.Kind == PairFileKind.TenFold
            ? $"{pairs.Folds}-fold cross-validation over the file's folds: threshold chosen on the other folds, accuracy on the held-out fold"
            : trainingPairs is not null
                ? $"threshold chosen for best accuracy on {Path.GetFileName(trainingPairs.Path)}, accuracy on {Path.GetFileName(pairs.Path)}"
                : "10-fold cross-validation within the file (i-th same and i-th different pair in fold i mod 10)";
        if (pairs.Kind == PairFileKind.SingleSplit && trainingPairs is null)
        {
            test = FoldProtocol.AssignFolds(test);
            int folds = test.Select(p => p.Fold).Distinct().Count();
            if (folds < 10) protocol = $"{folds}-fold cross-validation within the file (i-th same and i-th different pair in fold i mod 10; fewer than 10 pairs of a kind give fewer folds)";
        }
        return Evaluate(test, training, protocol, farTargets);
    }

    /// <summary>
    /// Evaluates already-scored pairs. With <paramref name="training"/>, the threshold is chosen there and accuracy
    /// measured on <paramref name="test"/>; without, <paramref name="test"/> is cross-validated over its folds.
    /// </summary>
    public static EvaluationReport Evaluate(IReadOnlyList<ScoredPair> test, IReadOnlyList<ScoredPair>? training, string protocol, IReadOnlyList<double>? farTargets = null)
    {
        double accuracy, threshold;
        double? std;
        IReadOnlyList<FoldResult> folds;
        if (training is not null)
        {
            threshold = PairMetrics.BestAccuracy(training).Threshold;
            accuracy = PairMetrics.Accuracy(test, threshold);
            std = null;
            folds = [];
        }
        else
        {
            CrossValidation cv = FoldProtocol.CrossValidate(test);
            (accuracy, std, folds) = (cv.MeanAccuracy, cv.AccuracyStd, cv.Folds);
            threshold = PairMetrics.BestAccuracy(test).Threshold;
        }

        var notes = new List<string>();
        var tarAtFar = new Dictionary<string, double?>();
        foreach (double far in farTargets ?? DefaultFarTargets)
        {
            string key = far.ToString(CultureInfo.InvariantCulture);
            try
            {
                tarAtFar[key] = PairMetrics.ThresholdForFar(test, far).Tar;
            }
            catch (NotEnoughPairsException e)
            {
                tarAtFar[key] = null;
                notes.Add($"TAR at FAR {key} not reported: {e.Message}");
            }
        }
        IReadOnlyList<RocPoint> roc = PairMetrics.Roc(test);
        return new EvaluationReport
        {
            Pairs = test.Count,
            Accuracy = accuracy,
            AccuracyStd = std,
            Auc = PairMetrics.Auc(roc),
            Eer = PairMetrics.Eer(roc),
            TarAtFar = tarAtFar,
            Threshold = threshold,
            Protocol = protocol,
            Folds = folds,
            Notes = notes,
            Roc = roc,
            Scores = test,
        };
    }
}
