using Convolve.Faces.Landmarks;
using Convolve.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace Convolve.Faces.Alignment;

/// <summary>
/// Landmark alignment: the similarity transform that maps five landmarks (left and right eye centres, nose tip,
/// mouth corners) onto a canonical template in a 150×150 chip, and the chip sampled through it. Unlike face-api's
/// axis-aligned crop (<see cref="DlibCrop"/>) it undoes head roll and uses all five points for scale and position.
/// </summary>
public static class LandmarkAlignment
{
    /// <summary>Side of the chip (the recognition network's input).</summary>
    public const int ChipSize = 150;

    /// <summary>
    /// The template: the mean position of the five points inside face-api's own 150-px recognition crop, measured on
    /// 188 LFW View 1 DevTrain faces (`dotnet run -c Release --project bench/Convolve.Bench -- template --images 200`). Aligning to it
    /// keeps the framing the network was used with and removes only the per-face rotation and jitter.
    /// </summary>
    public static IReadOnlyList<(double X, double Y)> Template { get; } =
    [
        (47.88, 44.92),   // left eye centre (points 36–41)
        (102.65, 44.17),  // right eye centre (42–47)
        (75.28, 77.92),   // nose tip (30)
        (53.80, 105.38),  // left mouth corner (48)
        (100.11, 105.12), // right mouth corner (54)
    ];

    /// <summary>The five points of <paramref name="landmarks"/> in template order, in image pixels.</summary>
    public static IReadOnlyList<(double X, double Y)> FivePoints(FaceLandmarks landmarks) =>
    [
        landmarks.Center(36, 6),
        landmarks.Center(42, 6),
        landmarks.At(30),
        landmarks.At(48),
        landmarks.At(54),
    ];

    /// <summary>The least-squares similarity transform from image pixels to chip pixels for this face.</summary>
    public static SimilarityTransform ImageToChip(FaceLandmarks landmarks) => SimilarityTransform.Estimate(FivePoints(landmarks), Template);

    /// <summary>
    /// The aligned chip [1,3,150,150] (values 0..255) of the face. Only the image region the chip covers is converted
    /// to a tensor, so large photos cost no more than small ones.
    /// </summary>
    public static Tensor Chip(RgbImage image, FaceLandmarks landmarks) => Chip(image, ImageToChip(landmarks));

    /// <summary>The chip [1,3,size,size] (values 0..255, default 150) that <paramref name="toChip"/> (image pixels → chip pixels) cuts out of <paramref name="image"/>.</summary>
    internal static Tensor Chip(RgbImage image, SimilarityTransform toChip, int size = ChipSize)
    {
        PixelRect region = CoveredRegion(toChip, image.Width, image.Height, size);
        using var scope = NewDisposeScope();
        if (region.IsEmpty) return zeros(1, 3, size, size).MoveToOuterDisposeScope();
        var crop = FaceCrops.CropToTensor(image, region);
        // The chip samples crop-local coordinates: T'(x) = T(x + r) = A·x + (A·r + t).
        var local = toChip with
        {
            Tx = toChip.Tx + toChip.A * region.X - toChip.B * region.Y,
            Ty = toChip.Ty + toChip.B * region.X + toChip.A * region.Y,
        };
        return SimilarityWarp.Warp(crop, local, size).MoveToOuterDisposeScope();
    }

    /// <summary>The image pixels the chip can sample: the bounding box of the chip's corners mapped back, plus one pixel, clipped.</summary>
    private static PixelRect CoveredRegion(SimilarityTransform toChip, int width, int height, int size)
    {
        SimilarityTransform back = toChip.Inverse();
        var corners = new[] { back.Apply(0, 0), back.Apply(size, 0), back.Apply(0, size), back.Apply(size, size) };
        int x0 = Math.Max(0, (int)Math.Floor(corners.Min(c => c.X)) - 1), y0 = Math.Max(0, (int)Math.Floor(corners.Min(c => c.Y)) - 1);
        int x1 = Math.Min(width, (int)Math.Ceiling(corners.Max(c => c.X)) + 1), y1 = Math.Min(height, (int)Math.Ceiling(corners.Max(c => c.Y)) + 1);
        return new PixelRect(x0, y0, x1 - x0, y1 - y0);
    }
}
