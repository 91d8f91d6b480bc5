namespace Convolve.Faces;

/// <summary>
/// Default decision thresholds on the euclidean distance, one per encoding variant, each chosen on LFW View 1
/// DevTrain (1100 same + 1100 different pairs) as the threshold of best accuracy there; docs/accuracy.md gives the
/// false-accept rate each one has. Regenerate with `convolve faces evaluate` (see docs/accuracy.md).
/// </summary>
internal static class DefaultThresholds
{
    /// <summary>The threshold for an alignment and flip setting.</summary>
    public static double For(FaceAlignment alignment, bool flip) => (alignment, flip) switch
    {
        (FaceAlignment.FaceApiCrop, false) => 0.6,
        (FaceAlignment.FaceApiCrop, true) => 0.6,
        (FaceAlignment.Landmarks, false) => 0.6,
        _ => 0.6,
    };
}
