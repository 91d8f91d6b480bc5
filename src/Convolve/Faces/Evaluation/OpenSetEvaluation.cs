using System.Globalization;
using System.Text.Json.Serialization;

namespace Convolve.Faces.Evaluation;

/// <summary>
/// Open-set identification metrics (the probe may be someone who is not in the gallery). JSON names in snake case.
/// </summary>
public sealed record OpenSetReport
{
    /// <summary>Number of probes.</summary>
    [JsonPropertyName("probes")] public required int Probes { get; init; }

    /// <summary>Probes whose identity is enrolled (mated probes).</summary>
    [JsonPropertyName("known_probes")] public required int KnownProbes { get; init; }

    /// <summary>Probes whose identity is not enrolled.</summary>
    [JsonPropertyName("unknown_probes")] public required int UnknownProbes { get; init; }

    /// <summary>Closed-set rank-1 accuracy on known probes: the nearest identity is the right one (no threshold).</summary>
    [JsonPropertyName("rank1")] public required double Rank1 { get; init; }

    /// <summary>The operating threshold the next three rates use (accept when d &lt; threshold).</summary>
    [JsonPropertyName("threshold")] public required double Threshold { get; init; }

    /// <summary>DIR at <see cref="Threshold"/>: known probes identified correctly and under the threshold / known probes.</summary>
    [JsonPropertyName("dir")] public required double DetectionAndIdentificationRate { get; init; }

    /// <summary>False-alarm rate at <see cref="Threshold"/>: unknown probes matched to someone / unknown probes.</summary>
    [JsonPropertyName("false_alarm_rate")] public required double FalseAlarmRate { get; init; }

    /// <summary>Known probes accepted as the wrong enrolled person at <see cref="Threshold"/>.</summary>
    [JsonPropertyName("misidentified")] public required int Misidentified { get; init; }

    /// <summary>DIR at each false-alarm-rate target (keys like "0.01"); null where there are too few unknown probes.</summary>
    [JsonPropertyName("dir_at_far")] public required IReadOnlyDictionary<string, double?> DirAtFar { get; init; }

    /// <summary>Caveats (e.g. a FAR target the data cannot support).</summary>
    [JsonPropertyName("notes")] public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>Identities enrolled from the gallery folders (0 when the caller did not say).</summary>
    [JsonPropertyName("gallery_identities")] public int GalleryIdentities { get; init; }

    /// <summary>Images enrolled from the gallery folders.</summary>
    [JsonPropertyName("gallery_images")] public int GalleryImages { get; init; }

    /// <summary>Images (gallery and probe) in which no face was detected.</summary>
    [JsonPropertyName("undetected")] public int Undetected { get; init; }

    /// <summary>What was done for the images counted in <see cref="Undetected"/>.</summary>
    [JsonPropertyName("undetected_handling")] public string? UndetectedHandling { get; init; }

    /// <summary>Images that could not be read (left out).</summary>
    [JsonPropertyName("failed")] public IReadOnlyList<ImageFailure> Failed { get; init; } = [];

    /// <summary>The encoding function evaluated, when known.</summary>
    [JsonPropertyName("model")] public string? Model { get; init; }

    private static readonly System.Text.Json.JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, // rank-1 is NaN without known probes
    };

    /// <summary>The report as indented JSON.</summary>
    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this, Json);
}

/// <summary>
/// Open-set identification on a probe × identity distance matrix (each entry the probe's aggregated distance to an
/// enrolled identity, e.g. from <see cref="Gallery.FaceGallery.Rank"/>). For probe p let g(p) be its nearest
/// identity (first on ties) and s(p) that distance. Then
/// rank-1 = #{known p: g(p) = truth(p)} / #known;
/// DIR(τ) = #{known p: g(p) = truth(p) ∧ s(p) &lt; τ} / #known;
/// FAR(τ) = #{unknown p: s(p) &lt; τ} / #unknown (false alarms);
/// DIR@FAR f uses the largest τ with FAR(τ) ≤ f: the (⌊f·#unknown⌋+1)-th smallest s over unknown probes.
/// </summary>
public static class OpenSetEvaluation
{
    /// <summary>
    /// Evaluates <paramref name="distances"/> (one row per probe, one column per enrolled identity) where
    /// <paramref name="truth"/>[p] is the column of probe p's identity, or -1 when it is not enrolled.
    /// </summary>
    public static OpenSetReport Evaluate(IReadOnlyList<double[]> distances, IReadOnlyList<int> truth, double threshold, IReadOnlyList<double>? farTargets = null)
    {
        if (distances.Count != truth.Count) throw new ArgumentException("one truth label per probe row is needed", nameof(truth));
        if (distances.Count == 0) throw new ArgumentException("no probes", nameof(distances));
        int identities = distances[0].Length;
        if (identities == 0) throw new ArgumentException("the gallery has no identities", nameof(distances));
        var known = new List<(bool Correct, double Score)>();
        var unknownScores = new List<double>();
        for (int p = 0; p < distances.Count; p++)
        {
            double[] row = distances[p];
            if (row.Length != identities) throw new ArgumentException($"probe row {p} has {row.Length} columns, expected {identities}", nameof(distances));
            if (truth[p] < -1 || truth[p] >= identities) throw new ArgumentOutOfRangeException(nameof(truth), $"probe {p}: identity {truth[p]} is not a column");
            int nearest = 0;
            for (int j = 1; j < identities; j++) if (row[j] < row[nearest]) nearest = j;
            if (truth[p] >= 0) known.Add((nearest == truth[p], row[nearest]));
            else unknownScores.Add(row[nearest]);
        }

        double Dir(double tau) => known.Count == 0 ? double.NaN : (double)known.Count(k => k.Correct && k.Score < tau) / known.Count;
        var notes = new List<string>();
        var dirAtFar = new Dictionary<string, double?>();
        double[] sortedUnknown = unknownScores.Order().ToArray();
        foreach (double far in farTargets ?? [1e-2, 1e-1])
        {
            string key = far.ToString(CultureInfo.InvariantCulture);
            int needed = PairMetrics.MinimumNegatives(far);
            if (sortedUnknown.Length < needed)
            {
                dirAtFar[key] = null;
                notes.Add($"DIR at FAR {key} not reported: " + new NotEnoughPairsException(far, needed, sortedUnknown.Length, "unknown probes").Message);
                continue;
            }
            dirAtFar[key] = Dir(sortedUnknown[PairMetrics.AllowedFalseAccepts(far, sortedUnknown.Length)]);
        }
        if (known.Count == 0) notes.Add("no known probes: rank-1 and DIR are undefined (NaN)");
        if (unknownScores.Count == 0) notes.Add("no unknown probes: the false-alarm rate is undefined (NaN)");
        return new OpenSetReport
        {
            Probes = distances.Count,
            KnownProbes = known.Count,
            UnknownProbes = unknownScores.Count,
            Rank1 = known.Count == 0 ? double.NaN : (double)known.Count(k => k.Correct) / known.Count,
            Threshold = threshold,
            DetectionAndIdentificationRate = Dir(threshold),
            FalseAlarmRate = unknownScores.Count == 0 ? double.NaN : (double)unknownScores.Count(s => s < threshold) / unknownScores.Count,
            Misidentified = known.Count(k => !k.Correct && k.Score < threshold),
            DirAtFar = dirAtFar,
            Notes = notes,
        };
    }
}
