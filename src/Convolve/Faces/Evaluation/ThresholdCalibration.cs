using Convolve.Faces.Gallery;

namespace Convolve.Faces.Evaluation;

/// <summary>
/// Chooses the threshold that meets a false-accept-rate target on the user's own labelled pairs, in the form a
/// gallery stores (<see cref="FaceGallery.SetCalibratedThreshold"/>).
/// </summary>
public static class ThresholdCalibration
{
    /// <summary>
    /// The largest threshold whose FAR on <paramref name="pairs"/> does not exceed <paramref name="far"/>, with the
    /// TAR it gives. Throws <see cref="NotEnoughPairsException"/> (saying how many different-person pairs are
    /// needed) when the pairs cannot support the target.
    /// </summary>
    public static CalibratedThreshold Calibrate(IReadOnlyList<ScoredPair> pairs, double far, string? source = null, DateTimeOffset? now = null)
    {
        FarOperatingPoint point = PairMetrics.ThresholdForFar(pairs, far);
        return new CalibratedThreshold(point.Threshold, far, point.Far, point.Tar, point.SamePairs, point.DifferentPairs, source, now ?? DateTimeOffset.UtcNow);
    }
}
