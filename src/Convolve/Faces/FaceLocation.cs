using Convolve.Imaging;

namespace Convolve.Faces;

/// <summary>How the one face of a dataset image (evaluation pairs, open-set folders, training chips) is found.</summary>
public enum FaceLocation
{
    /// <summary>
    /// Run the detector and take the face whose box centre is nearest the image centre; when it finds none, look for
    /// the landmarks in the centred box (counted as undetected, never dropped).
    /// </summary>
    Detect,

    /// <summary>
    /// The images are face-centred crops (LFW and other aligned face datasets): skip the detector and find the landmarks
    /// in the centred box. On LFW View 1 this is faster and more accurate than detecting (docs/accuracy.md).
    /// </summary>
    CentreBox,
}

/// <summary>Finds the one face of a dataset image (a face-centred photo such as LFW's) by a <see cref="FaceLocation"/>.</summary>
public static class DatasetFace
{
    /// <summary>
    /// The face of <paramref name="image"/> and whether the detector found it (false when the centred box was used);
    /// a null face when even the centred box has no pixel inside the image.
    /// </summary>
    public static (DetectedFace? Face, bool Detected) Locate(FaceAnalyzer analyzer, RgbImage image, FaceLocation location)
    {
        if (location == FaceLocation.Detect)
        {
            IReadOnlyList<DetectedFace> faces = analyzer.Detect(image);
            if (faces.Count > 0) return (NearestCentre(faces, image), true);
        }
        return (analyzer.FaceIn(image, CentreBox(image)), false);
    }

    /// <summary>The centred box, half the shorter side, where the face of a face-centred image is.</summary>
    public static FaceBox CentreBox(RgbImage image)
    {
        float side = Math.Min(image.Width, image.Height) / 2f;
        return new FaceBox((image.Width - side) / 2, (image.Height - side) / 2, side, side);
    }

    /// <summary>The face whose box centre is nearest the image centre (the subject of a face-centred image).</summary>
    public static DetectedFace NearestCentre(IReadOnlyList<DetectedFace> faces, RgbImage image)
    {
        float cx = image.Width / 2f, cy = image.Height / 2f;
        return faces.MinBy(f => Square(f.Box.Center.X - cx) + Square(f.Box.Center.Y - cy))!;
        static float Square(float v) => v * v;
    }
}
