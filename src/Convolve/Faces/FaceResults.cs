using Convolve.Faces.Landmarks;

namespace Convolve.Faces;

/// <summary>A face found in an image: its box and detection score, and its 68 landmarks.</summary>
public sealed record DetectedFace(FaceBox Box, float Score, FaceLandmarks Landmarks);

/// <summary>A detected face and its encoding f(x) (128 floats; compare with euclidean distance).</summary>
public sealed record EncodedFace(DetectedFace Face, float[] Encoding)
{
    /// <summary>Does not print the encoding: encodings are biometric data.</summary>
    public override string ToString() => $"EncodedFace {{ Box = {Face.Box}, Score = {Face.Score} }}";
}

/// <summary>Which face of an image was used, out of how many.</summary>
public sealed record FaceChoice(int Index, int FaceCount, FaceBox Box)
{
    /// <summary>True when the image held more than one face, so a choice was made.</summary>
    public bool WasAmbiguous => FaceCount > 1;
}

/// <summary>The answer to "are these the same person?": distance d = ‖f(a) − f(b)‖, and d &lt; threshold.</summary>
public sealed record VerificationResult(double Distance, double Threshold, FaceChoice First, FaceChoice? Second)
{
    /// <summary>True when <see cref="Distance"/> is below <see cref="Threshold"/> (strict, as face-api).</summary>
    public bool Same => Distance < Threshold;
}

/// <summary>One face of an identified image: who it is (null when unknown) and the distance to the nearest identity.</summary>
public sealed record IdentifiedFace(DetectedFace Face, string? Name, string? NearestName, double? Distance, double Threshold)
{
    /// <summary>The nearest enrolled people with their distances, nearest first, when asked for (<c>top</c> &gt; 0); else empty.</summary>
    public IReadOnlyList<Gallery.IdentityCandidate> Candidates { get; init; } = [];
}

/// <summary>One way of computing an encoding: how the face is cut out, and whether it is averaged with its mirror image.</summary>
public readonly record struct EncodingVariant(FaceAlignment Alignment, bool Flip)
{
    /// <summary>"faceapi-crop", "aligned", "faceapi-crop+flip", "aligned+flip".</summary>
    public override string ToString() => (Alignment == FaceAlignment.Landmarks ? "aligned" : "faceapi-crop") + (Flip ? "+flip" : "");
}
