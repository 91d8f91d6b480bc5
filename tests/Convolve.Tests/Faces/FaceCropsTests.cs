using Convolve.Faces;
using Convolve.Imaging;
using static TorchSharp.torch;

namespace Convolve.Tests.Faces;

/// <summary>The one-step crop → centred square → legacy resize against the step-by-step ops (themselves checked against TF's formula).</summary>
public sealed class FaceCropsTests
{
    private static RgbImage RandomImage(int w, int h, int seed)
    {
        var pixels = new byte[w * h * 3];
        new Random(seed).NextBytes(pixels);
        return new RgbImage(w, h, pixels);
    }

    [Theory]
    [InlineData(10, 5, 110, 130, 112)]   // taller: padded left/right (diff 20), downscaled
    [InlineData(3, 20, 131, 100, 150)]   // wider, odd diff 31: 16 after, 15 before
    [InlineData(0, 0, 37, 60, 112)]      // small crop: upscaled
    [InlineData(40, 30, 112, 112, 112)]  // already the size: identity
    [InlineData(150, 100, 150, 149, 150)] // side equals size, one padding row
    [InlineData(200, 100, 1, 1, 112)]    // one pixel
    public void One_step_crop_equals_crop_pad_resize_bit_for_bit(int x, int y, int w, int h, int size)
    {
        var image = RandomImage(400, 300, seed: x + y + w);
        var rect = new PixelRect(x, y, w, h);
        using var fast = FaceCrops.CropSquareResize(image, rect, size);
        using var crop = FaceCrops.CropToTensor(image, rect);
        using var slow = FaceCrops.SquareAndResize(crop, size);
        Assert.Equal(new long[] { 1, 3, size, size }, fast.shape);
        Assert.Equal(0f, fast.sub(slow).abs().max().item<float>());
    }

    [Fact]
    public void Crop_copies_the_right_pixels()
    {
        var image = RandomImage(50, 40, 3);
        using var t = FaceCrops.CropToTensor(image, new PixelRect(7, 11, 5, 4));
        for (int c = 0; c < 3; c++)
            Assert.Equal(image.Pixels[((11 + 2) * 50 + 7 + 3) * 3 + c], (byte)t[0, c, 2, 3].item<float>());
    }

    [Fact]
    public void Crops_outside_the_image_are_refused()
    {
        var image = RandomImage(50, 40, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => FaceCrops.CropSquareResize(image, new PixelRect(45, 0, 10, 10), 112));
        Assert.Throws<ArgumentOutOfRangeException>(() => FaceCrops.CropToTensor(image, new PixelRect(0, 0, 0, 10)));
    }

    [Fact]
    public void Network_input_subtracts_mean_and_divides_by_255()
    {
        var image = new RgbImage(2, 2, Enumerable.Repeat((byte)200, 12).ToArray());
        using var t = FaceCrops.ToNetworkInput(image, [new PixelRect(0, 0, 2, 2)], 4, [100f, 50f, 0f]);
        Assert.Equal(new long[] { 1, 3, 4, 4 }, t.shape);
        Assert.Equal(100f / 255f, t[0, 0, 3, 3].item<float>());
        Assert.Equal(150f / 255f, t[0, 1, 0, 0].item<float>());
        Assert.Equal(200f / 255f, t[0, 2, 1, 2].item<float>());
    }
}
