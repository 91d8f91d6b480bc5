using Convolve.Faces.Landmarks;

namespace Convolve.Faces.Gallery;

/// <summary>
/// Advice on an enrollment photo. With one photo per person that photo is the person's whole record, so a face turned
/// far away from the camera is worth a warning: on LFW View 1 (bench <c>pose</c>, docs/faces.md), pairs whose more
/// turned face has |yaw| ≥ 0.6 were falsely rejected about five times as often as frontal ones.
/// </summary>
public static class EnrollmentCheck
{
    /// <summary>|<see cref="HeadPose.Yaw"/>| from which a face counts as turned away.</summary>
    public const double MaxYaw = 0.6;

    /// <summary>Warnings for a face with pose <paramref name="pose"/>; empty when there is nothing to say.</summary>
    public static IReadOnlyList<string> Warnings(HeadPose pose) =>
        Math.Abs(pose.Yaw) >= MaxYaw
            ? [$"the face is turned away from the camera (yaw {pose.Yaw:+0.00;-0.00}, frontal is 0, limit ±{MaxYaw:0.0}); a frontal photo matches more reliably"]
            : [];
}

/// <summary>The result of enrolling one photo: the stored entry, the face it came from and any advice about it.</summary>
/// <param name="Entry">What the gallery stored.</param>
/// <param name="Face">The face that was enrolled.</param>
/// <param name="Pose">That face's pose.</param>
/// <param name="Warnings">Advice from <see cref="EnrollmentCheck"/> (enrollment went ahead).</param>
public sealed record EnrolledFace(GalleryEntry Entry, DetectedFace Face, HeadPose Pose, IReadOnlyList<string> Warnings);
