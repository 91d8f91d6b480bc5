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

    /// <summary>The false-accept rates of <see cref="ForFalseAcceptRate"/>'s table, largest first.</summary>
    internal static readonly double[] TabledRates = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6];

    /// <summary>
    /// The threshold whose false-accept rate is <paramref name="far"/> among different people, for the pretrained
    /// encodings. Measured on the 30.7 million different-person pairs of LFW View 1's DevTrain people and checked on the
    /// DevTest people's 1.2 million (docs/evaluation.md; `dotnet run -c Release --project bench/Convolve.Bench --
    /// far-table --variant V`); between the tabled rates the threshold is interpolated linearly in log10(FAR).
    /// </summary>
    public static double ForFalseAcceptRate(FaceAlignment alignment, bool flip, double far)
    {
        double[] t = Table(alignment, flip);
        if (!(far >= TabledRates[^1] && far <= TabledRates[0]))
            throw new ArgumentOutOfRangeException(nameof(far), far, $"The false-accept rate must lie between {TabledRates[^1]:0e0} and {TabledRates[0]:0e0}, the range measured on LFW; for another, calibrate on your own pairs.");
        double position = -Math.Log10(far) - 2;          // 0 at 1e-2, 4 at 1e-6
        int i = Math.Min((int)Math.Floor(position), t.Length - 2);
        double f = position - i;
        return t[i] + f * (t[i + 1] - t[i]);
    }

    /// <summary>
    /// The inverse of <see cref="ForFalseAcceptRate"/>: the LFW false-accept rate of <paramref name="threshold"/>,
    /// clamped to the measured range (a threshold above the 1e-2 entry gives 1e-2, a lower bound; below the 1e-6 entry, 1e-6).
    /// </summary>
    public static double FalseAcceptRateAt(FaceAlignment alignment, bool flip, double threshold)
    {
        double[] t = Table(alignment, flip);
        if (threshold >= t[0]) return TabledRates[0];
        if (threshold <= t[^1]) return TabledRates[^1];
        int i = 0;
        while (threshold < t[i + 1]) i++;
        double position = i + (t[i] - threshold) / (t[i] - t[i + 1]);
        return Math.Pow(10, -2 - position);
    }

    /// <summary>Thresholds at <see cref="TabledRates"/>, from bench far-table (variants 0–3 of lfw-cohort's cache).</summary>
    private static double[] Table(FaceAlignment alignment, bool flip) => (alignment, flip) switch
    {
        (FaceAlignment.FaceApiCrop, false) => [0.6108, 0.5390, 0.4738, 0.4218, 0.3822],
        (FaceAlignment.FaceApiCrop, true) => [0.5983, 0.5273, 0.4635, 0.4120, 0.3735],
        (FaceAlignment.Landmarks, false) => [0.6116, 0.5387, 0.4718, 0.4197, 0.3812],
        (FaceAlignment.Landmarks, true) => [0.5996, 0.5274, 0.4617, 0.4095, 0.3710],
        _ => throw new ArgumentOutOfRangeException(nameof(alignment)),
    };
}
