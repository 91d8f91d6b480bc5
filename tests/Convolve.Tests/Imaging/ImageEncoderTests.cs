using Convolve.Imaging;

namespace Convolve.Tests.Imaging;

public sealed class ImageEncoderTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static RgbImage Noise(int w, int h, int seed)
    {
        var rgb = new byte[w * h * 3];
        new Random(seed).NextBytes(rgb);
        return new RgbImage(w, h, rgb);
    }

    [Fact]
    public void PngSaveAndLoadIsLossless()
    {
        var img = Noise(17, 9, 3);
        string path = Path.Combine(_dir.Path, "out.png");
        ImageEncoder.Save(img, path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(path)[..4]);
        Assert.Equal(img.Pixels, ImageDecoder.Load(path).Pixels);
        Assert.Single(Directory.GetFiles(_dir.Path)); // no temporary file left behind
    }

    [Theory]
    [InlineData("out.jpg")]
    [InlineData("out.JPEG")]
    public void JpegIsChosenByExtensionAndStaysClose(string name)
    {
        // A smooth gradient: JPEG at quality 95 keeps every channel within a few levels.
        var rgb = new byte[32 * 32 * 3];
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++)
            {
                rgb[(y * 32 + x) * 3] = (byte)(x * 8);
                rgb[(y * 32 + x) * 3 + 1] = (byte)(y * 8);
                rgb[(y * 32 + x) * 3 + 2] = 128;
            }
        string path = Path.Combine(_dir.Path, name);
        ImageEncoder.Save(new RgbImage(32, 32, rgb), path, jpegQuality: 95);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0xFF, 0xD8 }, bytes[..2]);
        var back = ImageDecoder.Load(path).Pixels;
        double meanError = rgb.Zip(back, (a, b) => Math.Abs(a - b)).Average();
        Assert.True(meanError < 3, $"mean abs error {meanError:0.00}");
    }

    [Fact]
    public void ExplicitFormatOverridesTheExtension()
    {
        string path = Path.Combine(_dir.Path, "out.bin");
        ImageEncoder.Save(Noise(4, 4, 1), path, ImageFormat.Png);
        Assert.Equal(0x89, File.ReadAllBytes(path)[0]);
    }

    [Fact]
    public void UnknownExtensionNamesThePath()
    {
        string path = Path.Combine(_dir.Path, "out.tiff");
        var e = Assert.Throws<InvalidInputException>(() => ImageEncoder.Save(Noise(2, 2, 1), path));
        Assert.Equal(path, e.Path);
        Assert.Contains("'.tiff'", e.Problem);
    }

    [Fact]
    public void MissingFolderNamesThePath()
    {
        string path = Path.Combine(_dir.Path, "no-such-folder", "out.png");
        var e = Assert.Throws<InvalidInputException>(() => ImageEncoder.Save(Noise(2, 2, 1), path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains("does not exist", e.Problem);
    }

    [Fact]
    public void JpegQualityOutOfRangeIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageEncoder.Encode(Noise(2, 2, 1), ImageFormat.Jpeg, 0));
    }
}
