using Convolve.Faces.Landmarks;

namespace Convolve.Faces.Alignment;

/// <summary>
/// face-api's recognition crop (<c>align(null, useDlibAlignment=true)</c>, spec §6.4): an axis-aligned square around the
/// eyes and mouth, no rotation. With L, R, M the centres of the left eye, right eye and mouth:
/// <c>size = floor(mean(|M−L|, |M−R|) / 0.45)</c>, centred horizontally on mean(L,R,M) and placed 0.43·size above it.
/// </summary>
public static class DlibCrop
{
    /// <summary>Eye-to-mouth distance as a fraction of the crop size.</summary>
    public const double RelativeScale = 0.45;

    /// <summary>
    /// The crop rectangle, exactly as face-api computes it (before clipping to the image, which the encoder does).
    /// QUIRKS kept for parity: the top-left is clamped at 0 (which shifts the box instead of shrinking it), and the
    /// width/height are limited by the landmark crop's size plus x/y (probably meant to be the image size).
    /// </summary>
    public static PixelRect FromLandmarks(FaceLandmarks landmarks)
    {
        var l = landmarks.Center(36, 6);
        var r = landmarks.Center(42, 6);
        var m = landmarks.Center(48, 20);
        double eyeToMouth = (Distance(m, l) + Distance(m, r)) / 2;
        int size = (int)Math.Floor(eyeToMouth / RelativeScale);
        // getCenterPoint([L, R, M]): sum in order, then divide.
        double refX = (l.X + r.X + m.X) / 3, refY = (l.Y + r.Y + m.Y) / 3;
        int x = (int)Math.Floor(Math.Max(0, refX - 0.5 * size));
        int y = (int)Math.Floor(Math.Max(0, refY - 0.43 * size));
        return new PixelRect(x, y, Math.Min(size, landmarks.Crop.Width + x), Math.Min(size, landmarks.Crop.Height + y));
    }

    private static double Distance((double X, double Y) a, (double X, double Y) b)
    {
        double dx = a.X - b.X, dy = a.Y - b.Y;
        return Math.Sqrt(dx * dx + dy * dy);
    }
}
