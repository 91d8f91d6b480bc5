using Convolve.Imaging;

namespace Convolve.Tests.Imaging;

public sealed class ImageTransformsTests
{
    // 3×2 image; pixel (x, y) holds the bytes 10y+x, 100+10y+x, 200+10y+x.
    private static RgbImage Grid() => new(3, 2, Enumerable.Range(0, 6).SelectMany(i => new[] { (byte)(10 * (i / 3) + i % 3), (byte)(100 + 10 * (i / 3) + i % 3), (byte)(200 + 10 * (i / 3) + i % 3) }).ToArray(), "g.png");

    [Fact]
    public void Crop_keeps_the_pixels_inside_the_rectangle()
    {
        var c = ImageTransforms.Crop(Grid(), 1, 0, 2, 2);
        Assert.Equal((2, 2), (c.Width, c.Height));
        Assert.Equal([1, 101, 201, 2, 102, 202, 11, 111, 211, 12, 112, 212], c.Pixels);
        Assert.Equal("g.png", c.Source);
    }

    [Fact]
    public void Crop_clips_to_the_image_and_refuses_a_rectangle_outside_it()
    {
        var c = ImageTransforms.Crop(Grid(), -5, 1, 7, 9);   // x −5..1, y 1..9 → x 0..1, y 1
        Assert.Equal((2, 1), (c.Width, c.Height));
        Assert.Equal([10, 110, 210, 11, 111, 211], c.Pixels);
        Assert.Throws<ArgumentException>(() => ImageTransforms.Crop(Grid(), 3, 0, 2, 2));
        Assert.Throws<ArgumentException>(() => ImageTransforms.Crop(Grid(), 0, 0, 0, 2));
    }
}
