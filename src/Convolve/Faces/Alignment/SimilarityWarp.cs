using TorchSharp;
using static TorchSharp.torch;

namespace Convolve.Faces.Alignment;

/// <summary>Samples a square chip out of an image through a similarity transform (bilinear, zeros outside).</summary>
public static class SimilarityWarp
{
    /// <summary>
    /// Returns the <paramref name="size"/>×<paramref name="size"/> chip [N, C, size, size] whose pixel (u, v) shows
    /// the image at <c>imageToChip⁻¹(u, v)</c>. <paramref name="image"/> is [N, C, H, W] float.
    /// </summary>
    public static Tensor Warp(Tensor image, SimilarityTransform imageToChip, int size)
    {
        long h = image.shape[2], w = image.shape[3];
        // grid_sample (align_corners=false) works in normalised coordinates: n = 2·x/W − 1 for continuous x.
        // Chip n_u → chip pixel u = (n_u + 1)·S/2 → image x = T⁻¹(u) → n_x = 2x/W − 1; all affine, so compose.
        SimilarityTransform inv = imageToChip.Inverse();
        double half = size / 2.0;
        double m00 = inv.A * half * 2 / w, m01 = -inv.B * half * 2 / w;
        double m10 = inv.B * half * 2 / h, m11 = inv.A * half * 2 / h;
        var (cx, cy) = inv.Apply(half, half); // the chip's centre (n_u = 0) in image pixels
        double c0 = 2 * cx / w - 1, c1 = 2 * cy / h - 1;

        using var scope = NewDisposeScope();
        var theta = tensor(new float[] { (float)m00, (float)m01, (float)c0, (float)m10, (float)m11, (float)c1 }, new long[] { 1, 2, 3 })
            .expand(image.shape[0], 2, 3);
        var grid = nn.functional.affine_grid(theta, new long[] { image.shape[0], image.shape[1], size, size }, align_corners: false);
        var chip = nn.functional.grid_sample(image, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);
        return chip.MoveToOuterDisposeScope();
    }
}
