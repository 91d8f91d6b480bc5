using System.Text.Json;
using System.Text.Json.Serialization;

namespace Convolve.Faces.Evaluation;

/// <summary>
/// What <c>convolve faces evaluate</c> reports for a pair file. Distances, accept when d &lt; threshold. The JSON
/// field names are the documented output: pairs, accuracy, accuracy_std, auc, eer, tar_at_far, threshold,
/// undetected (plus protocol, folds and notes).
/// </summary>
public sealed record EvaluationReport
{
    /// <summary>Number of pairs evaluated.</summary>
    [JsonPropertyName("pairs")] public required int Pairs { get; init; }

    /// <summary>Accuracy by <see cref="Protocol"/> (mean over held-out folds, or on the test pairs).</summary>
    [JsonPropertyName("accuracy")] public required double Accuracy { get; init; }

    /// <summary>Sample standard deviation of the fold accuracies; null when a single train/test split was used.</summary>
    [JsonPropertyName("accuracy_std")] public required double? AccuracyStd { get; init; }

    /// <summary>ROC AUC on all evaluated pairs.</summary>
    [JsonPropertyName("auc")] public required double Auc { get; init; }

    /// <summary>Equal error rate on all evaluated pairs.</summary>
    [JsonPropertyName("eer")] public required double Eer { get; init; }

    /// <summary>TAR at each FAR target (keys "0.001", "0.01"); null where there are too few different pairs (see <see cref="Notes"/>).</summary>
    [JsonPropertyName("tar_at_far")] public required IReadOnlyDictionary<string, double?> TarAtFar { get; init; }

    /// <summary>The best-accuracy threshold (on the training pairs for a train/test split, on all pairs otherwise).</summary>
    [JsonPropertyName("threshold")] public required double Threshold { get; init; }

    /// <summary>Images in which no face was detected (the caller's fallback, e.g. the centre crop, was used for them).</summary>
    [JsonPropertyName("undetected")] public int Undetected { get; init; }

    /// <summary>How accuracy was measured, in words.</summary>
    [JsonPropertyName("protocol")] public required string Protocol { get; init; }

    /// <summary>Per-fold thresholds and accuracies (empty for a train/test split).</summary>
    [JsonPropertyName("folds")] public required IReadOnlyList<FoldResult> Folds { get; init; }

    /// <summary>Caveats (e.g. a FAR target the data cannot support).</summary>
    [JsonPropertyName("notes")] public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>The ROC curve (for plots; not serialised).</summary>
    [JsonIgnore] public IReadOnlyList<RocPoint> Roc { get; init; } = [];

    /// <summary>The scored pairs (for plots; not serialised).</summary>
    [JsonIgnore] public IReadOnlyList<ScoredPair> Scores { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The report as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
