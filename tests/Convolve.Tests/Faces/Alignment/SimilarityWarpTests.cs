using Convolve.Faces.Alignment;
using static TorchSharp.torch;

namespace Convolve.Tests.Faces.Alignment;

public class SimilarityWarpTests
{
    [Fact]
    public void AnIntegerShiftCutsOutExactlyThatWindow()
    {
        using var scope = NewDisposeScope();
        var image = arange(3 * 40 * 50, dtype: ScalarType.Float32).reshape(1, 3, 40, 50);
        // Chip pixel (u, v) = image pixel (u + 10, v + 5): imageToChip is x' = x − 10, y' = y − 5.
        var chip = SimilarityWarp.Warp(image, new SimilarityTransform(1, 0, -10, -5), 20);
        var window = image[.., .., 5..25, 10..30];
        Assert.Equal(0f, (chip - window).abs().max().item<float>(), 3);
    }

    [Fact]
    public void AHalfTurnAboutTheChipCentreMirrorsBothAxes()
    {
        using var scope = NewDisposeScope();
        var image = rand(1, 1, 16, 16, generator: new Generator(7));
        // Rotation by π about (8, 8): x' = −x + 16, y' = −y + 16 → chip(u, v) = image(15 − u, 15 − v) at pixel centres.
        var chip = SimilarityWarp.Warp(image, new SimilarityTransform(-1, 0, 16, 16), 16);
        var flipped = image.flip(2, 3);
        Assert.True((chip - flipped).abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void HalvingTheScaleAveragesPixelPairs()
    {
        using var scope = NewDisposeScope();
        // A horizontal ramp: value = column index. At scale 0.5 chip pixel u samples image x = 2u + 1, between
        // columns 2u and 2u+1 at pixel-centre coordinates 2u + 0.5 and 2u + 1.5 → bilinear gives 2u + 0.5.
        var image = arange(32, dtype: ScalarType.Float32).expand(1, 1, 32, 32).contiguous();
        var chip = SimilarityWarp.Warp(image, new SimilarityTransform(0.5, 0, 0, 0), 16);
        for (int u = 1; u < 15; u++)
            Assert.Equal(2 * u + 0.5f, chip[0, 0, 8, u].item<float>(), 3);
    }
}
