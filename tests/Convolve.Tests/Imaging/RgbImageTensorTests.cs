using Convolve.Imaging;
using static TorchSharp.torch;

namespace Convolve.Tests.Imaging;

public class RgbImageTensorTests
{
    // 2×2 image: pixel (x, y) has R = 10·(2y+x)+1, G = R+1, B = R+2.
    private static readonly byte[] Pixels = [1, 2, 3, 11, 12, 13, 21, 22, 23, 31, 32, 33];

    [Fact]
    public void ToTensorIsNchwInByteRange()
    {
        using var scope = NewDisposeScope();
        var t = new RgbImage(2, 2, Pixels).ToTensor();
        Assert.Equal(new long[] { 1, 3, 2, 2 }, t.shape);
        Assert.Equal(ScalarType.Float32, t.dtype);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 2; y++)
                for (int x = 0; x < 2; x++)
                    Assert.Equal(Pixels[(y * 2 + x) * 3 + c], t[0, c, y, x].item<float>());
    }

    [Fact]
    public void ToTensorUnitRangeDividesBy255()
    {
        using var scope = NewDisposeScope();
        var t = new RgbImage(2, 2, Pixels).ToTensor(unitRange: true);
        Assert.Equal(31f / 255f, t[0, 0, 1, 1].item<float>(), 6);
        Assert.Equal(2f / 255f, t[0, 1, 0, 0].item<float>(), 6);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FromTensorRoundTrips(bool unitRange)
    {
        using var scope = NewDisposeScope();
        var img = new RgbImage(2, 2, Pixels);
        Assert.Equal(Pixels, RgbImage.FromTensor(img.ToTensor(unitRange), unitRange).Pixels);
        Assert.Equal(Pixels, RgbImage.FromTensor(img.ToTensor(unitRange).squeeze(0), unitRange).Pixels);
    }

    [Fact]
    public void FromTensorRoundsAndClamps()
    {
        using var scope = NewDisposeScope();
        var t = tensor(new float[] { -5f, 1.6f, 254.4f, 300f }, new long[] { 1, 1, 1, 4 }).expand(1, 3, 1, 4);
        var img = RgbImage.FromTensor(t);
        Assert.Equal((4, 1), (img.Width, img.Height));
        Assert.Equal(new byte[] { 0, 0, 0, 2, 2, 2, 254, 254, 254, 255, 255, 255 }, img.Pixels);
    }

    [Fact]
    public void FromTensorRejectsWrongShapes()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => RgbImage.FromTensor(zeros(1, 4, 2, 2)));
    }
}
