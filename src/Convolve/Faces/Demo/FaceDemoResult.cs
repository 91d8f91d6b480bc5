using Convolve.Faces.Landmarks;
namespace Convolve.Faces.Demo;

/// <summary>What the demo did and found; <c>convolve demo</c> renders it as a table.</summary>
/// <param name="ModelId">The encoding function (<see cref="FaceAnalyzer.ModelId"/>).</param>
/// <param name="Threshold">The distance threshold in force: a face is recognized when its nearest identity is closer.</param>
/// <param name="Photos">Every photo looked at (originals and mirrors) with its face count and annotated output.</param>
/// <param name="Enrolled">One identity per face of the enrollment photos, one photo each (one-shot).</param>
/// <param name="Probes">Every face identified, in photo order.</param>
/// <param name="OutputDirectory">Where the annotated PNGs were written.</param>
/// <param name="Elapsed">Wall time of the run (model loading excluded).</param>
public sealed record FaceDemoResult(
    string ModelId,
    double Threshold,
    IReadOnlyList<DemoPhoto> Photos,
    IReadOnlyList<DemoEnrollment> Enrolled,
    IReadOnlyList<DemoProbe> Probes,
    string OutputDirectory,
    TimeSpan Elapsed)
{
    /// <summary>Faces of people who were enrolled (the mirror images): they should be recognized.</summary>
    public DemoCounts EnrolledPeople => DemoCounts.Of(Probes.Where(p => p.Group == DemoGroup.Enrolled));

    /// <summary>Faces of people never enrolled: they should come out unknown.</summary>
    public DemoCounts NeverEnrolled => DemoCounts.Of(Probes.Where(p => p.Group == DemoGroup.NeverEnrolled));

    /// <summary>All identified faces.</summary>
    public DemoCounts All => DemoCounts.Of(Probes);
}

/// <summary>One photo the demo looked at.</summary>
/// <param name="Name">"sample1", "sample1 (mirror)".</param>
/// <param name="File">The photo's file (the original's for a mirror).</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Faces">Faces detected.</param>
/// <param name="Role">What the demo did with it.</param>
/// <param name="Annotated">The annotated PNG written for it.</param>
public sealed record DemoPhoto(string Name, string File, int Width, int Height, int Faces, DemoPhotoRole Role, string Annotated);

/// <summary>What the demo does with a photo.</summary>
public enum DemoPhotoRole
{
    /// <summary>Each face is enrolled under a new name.</summary>
    Enroll,
    /// <summary>The mirror image of an enrollment photo: the same people in new pixels, to be recognized.</summary>
    IdentifyEnrolled,
    /// <summary>People never enrolled, to come out unknown.</summary>
    IdentifyNeverEnrolled,
}

/// <summary>One enrolled face.</summary>
/// <param name="Identity">The generated name.</param>
/// <param name="Photo">The photo it came from.</param>
/// <param name="FaceIndex">Its index among that photo's faces (0 = highest detection score).</param>
/// <param name="Box">Its box in the photo.</param>
/// <param name="Pose">Its head pose.</param>
/// <param name="Warnings">What <see cref="Gallery.EnrollmentCheck"/> says about it.</param>
public sealed record DemoEnrollment(string Identity, string Photo, int FaceIndex, FaceBox Box, HeadPose Pose, IReadOnlyList<string> Warnings);

/// <summary>Which group a probe face belongs to.</summary>
public enum DemoGroup
{
    /// <summary>A face of a mirror image of an enrollment photo.</summary>
    Enrolled,
    /// <summary>A face of a photo whose people were never enrolled.</summary>
    NeverEnrolled,
}

/// <summary>What identification said about a face, judged against who it really is.</summary>
public enum DemoOutcome
{
    /// <summary>A name was given and it is the right one.</summary>
    Recognized,
    /// <summary>No name was given (the nearest identity was not closer than the threshold).</summary>
    Unknown,
    /// <summary>A name was given and it is not this person's (a false accept or a confusion).</summary>
    Wrong,
}

/// <summary>One identified face.</summary>
/// <param name="Photo">The photo's name ("sample1 (mirror)", "sample4").</param>
/// <param name="FaceIndex">Index among the photo's faces.</param>
/// <param name="Box">The face's box in that photo.</param>
/// <param name="Group">Enrolled person or not.</param>
/// <param name="Expected">Who it is: the identity enrolled from the same face of the original photo; null for a person never enrolled.</param>
/// <param name="Name">The name identification gave (null: unknown).</param>
/// <param name="Nearest">The nearest enrolled identity, whatever the threshold.</param>
/// <param name="Distance">Distance to <paramref name="Nearest"/>.</param>
public sealed record DemoProbe(string Photo, int FaceIndex, FaceBox Box, DemoGroup Group, string? Expected, string? Name, string? Nearest, double? Distance)
{
    /// <summary>Recognized, unknown or wrong.</summary>
    public DemoOutcome Outcome => Name is null ? DemoOutcome.Unknown : Name == Expected ? DemoOutcome.Recognized : DemoOutcome.Wrong;

    /// <summary>True when the answer is right: the right name for an enrolled person, unknown for anyone else.</summary>
    public bool Correct => Name == Expected;
}

/// <summary>Counts of outcomes over a set of faces.</summary>
/// <param name="Faces">Faces identified.</param>
/// <param name="Recognized">Given the right name.</param>
/// <param name="Unknown">Given no name.</param>
/// <param name="Wrong">Given a wrong name.</param>
/// <param name="Correct">Answered right (the right name, or unknown for a person never enrolled).</param>
public sealed record DemoCounts(int Faces, int Recognized, int Unknown, int Wrong, int Correct)
{
    /// <summary>Counts <paramref name="probes"/>.</summary>
    public static DemoCounts Of(IEnumerable<DemoProbe> probes)
    {
        var list = probes.ToList();
        return new DemoCounts(list.Count,
            list.Count(p => p.Outcome == DemoOutcome.Recognized),
            list.Count(p => p.Outcome == DemoOutcome.Unknown),
            list.Count(p => p.Outcome == DemoOutcome.Wrong),
            list.Count(p => p.Correct));
    }
}
