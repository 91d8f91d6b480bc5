namespace Convolve.Faces.Landmarks;

/// <summary>
/// How a face is turned, read from its 68 landmarks: enough to tell a frontal enrollment photo from a turned or tilted
/// one, not a calibrated 3-D pose estimate.
/// </summary>
/// <param name="RollDegrees">
/// In-plane tilt: the angle of the line from the image-left eye centre to the image-right eye centre, in degrees,
/// positive when the image-right eye is lower (clockwise on screen). Exact for the landmarks given.
/// </param>
/// <param name="Yaw">
/// Left-right turn as a signed asymmetry in [−1, 1]: where the nose tip (point 30) sits between the two ends of the
/// jaw line (points 0 and 16), measured along the eye line. 0 when the nose tip is midway (frontal); positive when it
/// is nearer the image-right end, i.e. the face turns towards image right; ±1 when it reaches an end (profile). It
/// grows roughly like tan(yaw angle), and the landmark network's jaw points become unreliable near profile, so read
/// it as an ordering, not as an angle.
/// </param>
/// <param name="EyeDistancePixels">Distance between the two eye centres in image pixels: how much detail the face has.</param>
public readonly record struct HeadPose(double RollDegrees, double Yaw, double EyeDistancePixels)
{
    /// <summary>The pose of <paramref name="landmarks"/>.</summary>
    public static HeadPose FromLandmarks(FaceLandmarks landmarks)
    {
        var left = landmarks.Center(36, 6);
        var right = landmarks.Center(42, 6);
        double ex = right.X - left.X, ey = right.Y - left.Y;
        double eyeDistance = Math.Sqrt(ex * ex + ey * ey);
        if (eyeDistance == 0) return new HeadPose(0, 0, 0);
        double roll = Math.Atan2(ey, ex) * 180 / Math.PI;

        // Positions along the eye line (unit vector from the left to the right eye), so that tilt does not look like turn.
        double ux = ex / eyeDistance, uy = ey / eyeDistance;
        double Along(int i) { var (x, y) = landmarks.At(i); return x * ux + y * uy; }
        double jawLeft = Along(0), jawRight = Along(16), nose = Along(30);
        double width = jawRight - jawLeft;
        double yaw = width <= 0 ? (nose >= jawLeft ? 1 : -1) : Math.Clamp((2 * nose - jawLeft - jawRight) / width, -1, 1);
        return new HeadPose(roll, yaw, eyeDistance);
    }
}
