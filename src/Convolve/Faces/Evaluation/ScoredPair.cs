namespace Convolve.Faces.Evaluation;

/// <summary>
/// A labelled pair with its score. Scores throughout this namespace are <b>distances</b>: smaller means more
/// similar, and a pair is accepted as "same person" when <c>distance &lt; threshold</c> (strict, as face-api's
/// FaceMatcher and <see cref="Gallery.IdentityMatch"/>). Hence FAR(τ) = #{different: d &lt; τ} / #different and
/// TAR(τ) = #{same: d &lt; τ} / #same.
/// </summary>
/// <param name="Same">True when both images show the same person.</param>
/// <param name="Distance">Euclidean distance between the two encodings.</param>
/// <param name="Fold">0-based fold for cross-validation.</param>
public readonly record struct ScoredPair(bool Same, double Distance, int Fold = 0);

/// <summary>A point of the ROC curve: accepting <c>distance &lt; Threshold</c> gives these rates.</summary>
/// <param name="Threshold">The strict acceptance threshold.</param>
/// <param name="Far">False-accept rate: different-person pairs accepted / different-person pairs.</param>
/// <param name="Tar">True-accept rate: same-person pairs accepted / same-person pairs.</param>
public readonly record struct RocPoint(double Threshold, double Far, double Tar);

/// <summary>A threshold with the accuracy it gives.</summary>
public readonly record struct ThresholdAccuracy(double Threshold, double Accuracy);

/// <summary>The operating point that meets a false-accept-rate target.</summary>
/// <param name="FarTarget">The rate asked for.</param>
/// <param name="Threshold">The largest threshold whose FAR does not exceed the target (accept when d &lt; Threshold).</param>
/// <param name="Far">The FAR measured at <paramref name="Threshold"/> (≤ target).</param>
/// <param name="Tar">The TAR measured at <paramref name="Threshold"/>.</param>
/// <param name="SamePairs">Number of same-person pairs.</param>
/// <param name="DifferentPairs">Number of different-person pairs.</param>
public sealed record FarOperatingPoint(double FarTarget, double Threshold, double Far, double Tar, int SamePairs, int DifferentPairs);

/// <summary>
/// The data cannot support the false-accept rate asked for: measuring FAR = f needs at least ⌈1/f⌉ different-person
/// pairs (one false accept among fewer would already exceed f). Exit code 3.
/// </summary>
public sealed class NotEnoughPairsException : ConvolveException
{
    /// <summary>Creates the error.</summary>
    public NotEnoughPairsException(double far, int needed, int available, string? what = null)
        : base($"a false-accept rate of {far.ToString(System.Globalization.CultureInfo.InvariantCulture)} needs at least {needed} {what ?? "different-person pairs"}; the data has {available}")
    {
        Far = far;
        Needed = needed;
        Available = available;
    }

    /// <summary>The false-accept rate asked for.</summary>
    public double Far { get; }

    /// <summary>How many negatives (different pairs, unknown probes) are needed.</summary>
    public int Needed { get; }

    /// <summary>How many there are.</summary>
    public int Available { get; }

    /// <inheritdoc />
    public override int ExitCode => 3;
}
