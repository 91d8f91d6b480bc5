namespace Convolve.Faces.Gallery;

/// <summary>One enrolled face: who it is, which photo it came from, its encoding and the model that produced it.</summary>
/// <param name="Id">Row id in the gallery (0 before it is stored).</param>
/// <param name="Identity">The person's name.</param>
/// <param name="SourceFile">The photo the face was taken from (may be null).</param>
/// <param name="Encoding">The face encoding (biometric data: never log it).</param>
/// <param name="ModelId">The model that produced <paramref name="Encoding"/>.</param>
/// <param name="EnrolledAt">When the face was enrolled (UTC).</param>
public sealed record GalleryEntry(long Id, string Identity, string? SourceFile, float[] Encoding, string ModelId, DateTimeOffset EnrolledAt)
{
    /// <summary>Omits the encoding so that logging an entry never logs biometric data.</summary>
    public override string ToString() => $"GalleryEntry {{ Id = {Id}, Identity = {Identity}, SourceFile = {SourceFile}, ModelId = {ModelId}, EnrolledAt = {EnrolledAt:O} }}";
}

/// <summary>A face to enroll: the person's name, the photo it came from and its encoding.</summary>
/// <param name="Identity">The person's name.</param>
/// <param name="Encoding">The face encoding.</param>
/// <param name="SourceFile">The photo it came from, when known.</param>
public sealed record FaceSample(string Identity, float[] Encoding, string? SourceFile = null)
{
    /// <summary>Omits the encoding (biometric data).</summary>
    public override string ToString() => $"FaceSample {{ Identity = {Identity}, SourceFile = {SourceFile} }}";
}

/// <summary>One enrolled person: name, number of enrolled faces, first and last enrollment time.</summary>
public sealed record IdentitySummary(string Identity, int Faces, DateTimeOffset FirstEnrolled, DateTimeOffset LastEnrolled);

/// <summary>How the distances to an identity's several enrolled faces are combined into one distance.</summary>
public enum GalleryAggregate
{
    /// <summary>
    /// Distance to the identity's nearest enrolled face (the default). A probe that resembles any one enrolled
    /// photo (another pose, age, lighting) is matched; adding photos of a person never pushes a good match away.
    /// </summary>
    NearestSample,

    /// <summary>
    /// Distance to the mean of the identity's encodings: one row per person (faster), smoother against a single
    /// poor enrollment photo, but a probe resembling only one of several dissimilar photos can be rejected.
    /// </summary>
    MeanEncoding,
}
