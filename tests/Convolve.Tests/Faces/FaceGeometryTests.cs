using Convolve.Faces;
using Convolve.Faces.Alignment;
using Convolve.Faces.Landmarks;

namespace Convolve.Tests.Faces;

/// <summary>Box clipping, landmark mapping and the dlib crop with face-api's quirks, on values worked out by hand.</summary>
public sealed class FaceGeometryTests
{
    [Fact]
    public void Clip_at_image_borders_then_floor()
    {
        // x' = max(−5.5, 0) = 0, w' = min(−5.5 + 20.7 − 0, 100 − 0) = 15.2 → 15; y' = 3.9 → 3, h' = min(3.9 + 200 − 3.9, 50 − 3.9) = 46.1 → 46.
        Assert.Equal(new PixelRect(0, 3, 15, 46), new FaceBox(-5.5f, 3.9f, 20.7f, 200f).ClipAndFloor(100, 50));
        Assert.True(new FaceBox(120, 10, 30, 30).ClipAndFloor(100, 50).IsEmpty);
    }

    [Fact]
    public void Mapping_removes_centred_padding_then_adds_the_unfloored_origin()
    {
        // Crop 50 wide × 100 high: s = 1.12, sw = 56, sh = 112, padX = 28. Raw x = 0.5 → (56 − 28)/56 = 0.5 of the crop.
        var raw = new float[136];
        raw[0] = 0.5f; raw[1] = 0.25f;
        float[] rel = LandmarkMapping.ToCropRelative(raw, 50, 100);
        Assert.Equal(0.5f, rel[0]);
        Assert.Equal(0.25f, rel[1]);
        Assert.Equal(-0.5f, rel[2]);   // raw 0 lies in the left padding: (0 − 28)/56

        var box = new FaceBox(10.75f, 20.5f, 50.9f, 100.2f);
        var lm = LandmarkMapping.ToImage(raw, box, box.ClipAndFloor(1000, 1000));
        Assert.Equal(new PixelRect(10, 20, 50, 100), lm.Crop);
        Assert.Equal(10.75f + 25f, lm.Points[0].X);   // shifted by the unfloored 10.75, not the crop's 10
        Assert.Equal(20.5f + 25f, lm.Points[0].Y);
    }

    private static FaceLandmarks Landmarks(PixelRect crop, Point2 leftEye, Point2 rightEye, Point2 mouth)
    {
        var points = new Point2[68];
        for (int i = 0; i < 68; i++) points[i] = i switch { >= 36 and < 42 => leftEye, >= 42 and < 48 => rightEye, >= 48 => mouth, _ => new Point2(0, 0) };
        return FaceLandmarks.FromPoints(crop.ToFaceBox(), crop, points);
    }

    [Fact]
    public void Dlib_crop_by_hand()
    {
        // L (100,100), R (140,100), M (120,130): |M−L| = |M−R| = √(20²+30²) = 36.0555; size = floor(36.0555/0.45) = 80.
        // ref = (120, 110): x = floor(120 − 40) = 80, y = floor(110 − 34.4) = 75.
        var lm = Landmarks(new PixelRect(90, 80, 70, 75), new(100, 100), new(140, 100), new(120, 130));
        Assert.Equal(new PixelRect(80, 75, 80, 80), DlibCrop.FromLandmarks(lm));
    }

    [Fact]
    public void Dlib_crop_near_the_origin_shifts_and_clamps_by_the_landmark_crop_size()
    {
        // Same face moved to the top-left: ref = (20, 10) → x = max(0, −20) = 0, y = max(0, −24.4) = 0.
        // QUIRK: width = min(80, cropW + x) = min(80, 60 + 0) = 60; height = min(80, 50 + 0) = 50.
        var lm = Landmarks(new PixelRect(0, 0, 60, 50), new(0, 0), new(40, 0), new(20, 30));
        Assert.Equal(new PixelRect(0, 0, 60, 50), DlibCrop.FromLandmarks(lm));
    }

    [Fact]
    public void Aligned_rect_is_the_point_bounds_grown_ten_percent_a_side()
    {
        var lm = Landmarks(new PixelRect(0, 0, 100, 100), new(10, 20), new(50, 20), new(30, 70));
        // Points span x 0..50, y 0..70 (the other points sit at the origin).
        var r = lm.AlignedRect;
        Assert.Equal((-5f, -7f, 60f, 84f), (r.X, r.Y, r.Width, r.Height));
    }
}
