using System.Text.Json;
using Convolve.Faces.Evaluation;

namespace Convolve.Tests.Faces.Evaluation;

public class OpenSetEvaluationTests
{
    // Three enrolled identities; probes 0–2 are enrolled people, 3–4 are strangers.
    private static readonly double[][] Distances =
    [
        [0.3, 0.9, 1.0], // identity 0: nearest 0 (right), 0.3
        [0.5, 0.6, 1.0], // identity 1: nearest 0 (wrong), 0.5
        [1.0, 0.9, 0.7], // identity 2: nearest 2 (right), 0.7
        [0.4, 1.2, 1.1], // stranger: nearest 0.4
        [0.9, 0.8, 1.5], // stranger: nearest 0.8
    ];
    private static readonly int[] Truth = [0, 1, 2, -1, -1];

    [Fact]
    public void Rank1_dir_and_false_alarms_by_hand()
    {
        OpenSetReport report = OpenSetEvaluation.Evaluate(Distances, Truth, threshold: 0.6, farTargets: [0.5, 0.1]);

        Assert.Equal((5, 3, 2), (report.Probes, report.KnownProbes, report.UnknownProbes));
        Assert.Equal(2.0 / 3, report.Rank1, 12);                           // probes 0 and 2
        Assert.Equal(1.0 / 3, report.DetectionAndIdentificationRate, 12);  // only probe 0 is right and under 0.6
        Assert.Equal(0.5, report.FalseAlarmRate);                          // stranger at 0.4 is accepted
        Assert.Equal(1, report.Misidentified);                             // probe 1 accepted as identity 0
        // FAR 0.5 over two strangers allows one false alarm → τ = 0.8 (second stranger score): DIR = probes 0, 2.
        Assert.Equal(2.0 / 3, report.DirAtFar["0.5"]!.Value, 12);
        Assert.Null(report.DirAtFar["0.1"]);
        Assert.Contains(report.Notes, n => n.Contains("needs at least 10 unknown probes"));
    }

    [Fact]
    public void Report_serialises_with_snake_case_names()
    {
        OpenSetReport report = OpenSetEvaluation.Evaluate(Distances, Truth, 0.6, [0.5]);
        using JsonDocument json = JsonDocument.Parse(JsonSerializer.Serialize(report));
        foreach (string field in new[] { "rank1", "dir", "false_alarm_rate", "dir_at_far", "known_probes", "unknown_probes" })
            Assert.True(json.RootElement.TryGetProperty(field, out _), field);
    }

    [Fact]
    public void Inconsistent_input_is_refused()
    {
        Assert.Throws<ArgumentException>(() => OpenSetEvaluation.Evaluate(Distances, [0, 1], 0.6));
        Assert.Throws<ArgumentOutOfRangeException>(() => OpenSetEvaluation.Evaluate([[0.1, 0.2]], [5], 0.6));
    }
}
