using System.Globalization;
using Convolve.Imaging;

namespace Convolve.Faces;

/// <summary>One face to draw: its box and landmarks, an optional label, and the colour of both.</summary>
/// <param name="Face">The detected face (box and 68 landmarks).</param>
/// <param name="Label">Text drawn above the box (null: none).</param>
/// <param name="Color">Colour of the box and the label's background.</param>
public sealed record FaceMark(DetectedFace Face, string? Label, RgbColor Color);

/// <summary>
/// Draws faces onto a copy of an image with <see cref="Annotator"/>: each box, its 68 landmarks and a label (index and
/// score, or name and distance). Line width, dot size and text height grow with the image so the marks stay visible
/// on large photos. The source image is never changed.
/// <code>
/// var faces = analyzer.Detect(image);
/// ImageEncoder.Save(FaceAnnotation.DrawDetections(image, faces), "out.png");
/// </code>
/// </summary>
public static class FaceAnnotation
{
    /// <summary>Colour of a recognized face.</summary>
    public static RgbColor KnownColor => RgbColor.Green;

    /// <summary>Colour of an unknown face.</summary>
    public static RgbColor UnknownColor => RgbColor.Red;

    /// <summary>Colour of a detected face that was not identified.</summary>
    public static RgbColor DetectedColor => RgbColor.Yellow;

    /// <summary>Colour of the landmark dots.</summary>
    public static RgbColor LandmarkColor => RgbColor.Blue;

    /// <summary>Draws <paramref name="marks"/> onto a copy of <paramref name="image"/>.</summary>
    public static RgbImage Draw(RgbImage image, IEnumerable<FaceMark> marks)
    {
        ArgumentNullException.ThrowIfNull(image);
        int longer = Math.Max(image.Width, image.Height);
        float thickness = Math.Max(2f, longer / 500f);
        float textSize = Math.Max(14f, longer / 90f);
        using var annotator = new Annotator(image);
        foreach (var mark in marks)
        {
            FaceBox box = mark.Face.Box;
            annotator.Rectangle(box.X, box.Y, box.Width, box.Height, mark.Color, thickness);
            float radius = Math.Max(1.5f, box.Width / 90f);
            foreach (Point2 p in mark.Face.Landmarks.Points) annotator.Point(p.X, p.Y, LandmarkColor, radius);
            if (!string.IsNullOrEmpty(mark.Label))
            {
                // Above the box when there is room, else inside its top edge.
                float labelTop = box.Y - textSize - 6 >= 0 ? box.Y - textSize - 6 : box.Y + thickness;
                annotator.Label(mark.Label, Math.Max(0, box.X), labelTop, mark.Color, textSize);
            }
        }
        return annotator.ToImage();
    }

    /// <summary>Detected faces, each labelled "#index score" (index as <see cref="FaceAnalyzer.Detect"/> numbers them).</summary>
    public static RgbImage DrawDetections(RgbImage image, IReadOnlyList<DetectedFace> faces) =>
        Draw(image, faces.Select((f, i) => new FaceMark(f, DetectionLabel(i, f), DetectedColor)));

    /// <summary>Identified faces: green with the name and distance when recognized, red "unknown" with the nearest distance otherwise.</summary>
    public static RgbImage DrawIdentities(RgbImage image, IReadOnlyList<IdentifiedFace> faces) =>
        Draw(image, faces.Select(f => new FaceMark(f.Face, IdentityLabel(f), f.Name is null ? UnknownColor : KnownColor)));

    /// <summary>"#2 0.97": the face's index and detection score.</summary>
    public static string DetectionLabel(int index, DetectedFace face) =>
        string.Create(CultureInfo.InvariantCulture, $"#{index} {face.Score:0.00}");

    /// <summary>"Ada 0.41" for a recognized face, "unknown 0.72" (distance to the nearest identity) otherwise.</summary>
    public static string IdentityLabel(IdentifiedFace face) =>
        (face.Name ?? "unknown") + (face.Distance is { } d ? string.Create(CultureInfo.InvariantCulture, $" {d:0.000}") : "");
}
