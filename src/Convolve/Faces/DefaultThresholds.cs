namespace Convolve.Faces;

/// <summary>
/// Default decision thresholds on the euclidean distance, one per encoding variant, each the threshold of best
/// accuracy on LFW View 1 pairsDevTrain (1100 same + 1100 different pairs). docs/accuracy.md gives the false-accept
/// rate each one has there (0.7–0.8 %) and the DevTest accuracy it gives; regenerate with
/// `dotnet run -c Release --project bench/Convolve.Bench -- accuracy`. For a false-accept rate of your choosing,
/// calibrate on your own pairs (`convolve faces calibrate`).
/// </summary>
internal static class DefaultThresholds
{
    /// <summary>The threshold for an alignment and flip setting.</summary>
    public static double For(FaceAlignment alignment, bool flip) => (alignment, flip) switch
    {
        (FaceAlignment.FaceApiCrop, false) => 0.6171,
        (FaceAlignment.FaceApiCrop, true) => 0.6035,
        (FaceAlignment.Landmarks, false) => 0.6119,
        (FaceAlignment.Landmarks, true) => 0.5945,
        _ => throw new ArgumentOutOfRangeException(nameof(alignment)),
    };
}
