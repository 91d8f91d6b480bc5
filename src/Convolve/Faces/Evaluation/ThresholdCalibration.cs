using Convolve.Faces.Gallery;

namespace Convolve.Faces.Evaluation;

/// <summary>
/// Chooses a decision threshold from the user's own labelled pairs for the false-accept rate they can accept, and
/// stores it in a gallery so identify and verify use it from then on (<see cref="FaceGallery.ThresholdOr"/>).
/// <code>
/// using var faces = FaceAnalyzer.Load();
/// var run = FacePairEvaluation.Run(faces, PairFileParser.Parse("my-pairs.txt"), "photos/");
/// CalibratedThreshold t = ThresholdCalibration.Calibrate(run.Test, far: 0.001, source: "my-pairs.txt");
/// using var gallery = faces.OpenGallery("people.db");
/// gallery.SetCalibratedThreshold(t);
/// </code>
/// </summary>
public static class ThresholdCalibration
{
    /// <summary>
    /// The largest threshold whose false-accept rate on <paramref name="pairs"/> does not exceed <paramref name="far"/>
    /// (<see cref="PairMetrics.ThresholdForFar"/>), with the TAR it gives. Throws <see cref="NotEnoughPairsException"/>
    /// ("needs at least N different-person pairs") when the pairs cannot measure so small a rate.
    /// </summary>
    public static CalibratedThreshold Calibrate(IReadOnlyList<PairDistance> pairs, double far, string? source = null, DateTimeOffset? now = null) =>
        Calibrate(pairs.Select(p => new ScoredPair(p.Pair.Same, p.Distance)).ToList(), far, source, now);

    /// <summary>The same for already-scored pairs.</summary>
    public static CalibratedThreshold Calibrate(IReadOnlyList<ScoredPair> pairs, double far, string? source = null, DateTimeOffset? now = null)
    {
        FarOperatingPoint point = PairMetrics.ThresholdForFar(pairs, far);
        return new CalibratedThreshold(point.Threshold, far, point.Far, point.Tar, point.SamePairs, point.DifferentPairs, source, now ?? DateTimeOffset.UtcNow);
    }
}
