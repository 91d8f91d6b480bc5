namespace Convolve.Faces.Gallery;

/// <summary>
/// The answer to "who is this?": the nearest enrolled identity and its distance, and whether that distance is under
/// the threshold. A face is recognized when <c>distance &lt; threshold</c> (strict, like face-api's FaceMatcher).
/// </summary>
/// <param name="NearestIdentity">The closest enrolled identity, or null when the gallery is empty.</param>
/// <param name="Distance">Euclidean distance to it (aggregated per identity), or null when the gallery is empty.</param>
/// <param name="Threshold">The threshold in force.</param>
public sealed record IdentityMatch(string? NearestIdentity, double? Distance, double Threshold)
{
    /// <summary>True when the nearest identity is close enough: <c>Distance &lt; Threshold</c>.</summary>
    public bool IsRecognized => Distance is { } d && d < Threshold;

    /// <summary>The recognized identity, or null for "not recognized".</summary>
    public string? Identity => IsRecognized ? NearestIdentity : null;
}

/// <summary>One identity in a ranked candidate list with its aggregated distance.</summary>
public sealed record IdentityCandidate(string Identity, double Distance);

/// <summary>
/// A threshold calibrated on the user's own labelled pairs and stored in the gallery so that identify and verify
/// use it from then on.
/// </summary>
/// <param name="Threshold">Accept when distance &lt; threshold.</param>
/// <param name="FarTarget">The false-accept rate asked for.</param>
/// <param name="Far">The false-accept rate measured at the threshold on the calibration pairs.</param>
/// <param name="Tar">The true-accept rate measured at the threshold on the calibration pairs.</param>
/// <param name="SamePairs">Number of same-person pairs used.</param>
/// <param name="DifferentPairs">Number of different-person pairs used.</param>
/// <param name="Source">Where the pairs came from (e.g. the pair file), for the record.</param>
/// <param name="CalibratedAt">When the calibration was made (UTC).</param>
public sealed record CalibratedThreshold(
    double Threshold, double FarTarget, double Far, double Tar, int SamePairs, int DifferentPairs, string? Source, DateTimeOffset CalibratedAt);
