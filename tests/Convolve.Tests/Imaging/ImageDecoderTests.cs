using Convolve.Imaging;
using SkiaSharp;

namespace Convolve.Tests.Imaging;

public sealed class ImageDecoderTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static (byte R, byte G, byte B) Px(RgbImage img, int x, int y)
    {
        int i = (y * img.Width + x) * 3;
        return (img.Pixels[i], img.Pixels[i + 1], img.Pixels[i + 2]);
    }

    private static void Near((byte R, byte G, byte B) expected, (byte R, byte G, byte B) actual, int tolerance, string where = "")
    {
        Assert.True(Math.Abs(expected.R - actual.R) <= tolerance && Math.Abs(expected.G - actual.G) <= tolerance
            && Math.Abs(expected.B - actual.B) <= tolerance, $"{where}: expected {expected}, got {actual} (±{tolerance})");
    }

    [Fact]
    public void RgbPngDecodesToTheExactSamples()
    {
        ushort[] samples = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 200, 100, 50, 1, 2, 3];
        var img = ImageDecoder.Load(_dir.Write("rgb.png", HandMadeImages.Png(3, 2, 2, 8, samples)));
        Assert.Equal((3, 2), (img.Width, img.Height));
        Assert.Equal(samples.Select(s => (byte)s).ToArray(), img.Pixels);
    }

    [Fact]
    public void GrayscalePngBecomesEqualRgbChannels()
    {
        var img = ImageDecoder.Load(_dir.Write("gray.png", HandMadeImages.Png(2, 1, 0, 8, [0, 77])));
        Assert.Equal(new byte[] { 0, 0, 0, 77, 77, 77 }, img.Pixels);
    }

    [Fact]
    public void PalettePngLooksUpItsColours()
    {
        byte[] palette = [9, 8, 7, 200, 150, 100];
        var img = ImageDecoder.Load(_dir.Write("palette.png", HandMadeImages.Png(3, 1, 3, 8, [1, 0, 1], palette)));
        Assert.Equal(new byte[] { 200, 150, 100, 9, 8, 7, 200, 150, 100 }, img.Pixels);
    }

    [Fact]
    public void SixteenBitPngsBecomeEightBit()
    {
        // 16-bit sample v maps to the 8-bit value v/257 (65535 -> 255); allow one level for rounding choice.
        ushort[] rgb = [0xFFFF, 0x0000, 0x8080, 0x1234, 0xABCD, 0x0101];
        var img = ImageDecoder.Load(_dir.Write("rgb16.png", HandMadeImages.Png(2, 1, 2, 16, rgb)));
        for (int i = 0; i < rgb.Length; i++)
            Assert.InRange(img.Pixels[i], (int)Math.Floor(rgb[i] / 257.0) - 1, (int)Math.Ceiling(rgb[i] / 257.0) + 1);

        var gray = ImageDecoder.Load(_dir.Write("gray16.png", HandMadeImages.Png(1, 1, 0, 16, [0xC000])));
        Assert.All(gray.Pixels, p => Assert.InRange(p, 190, 192)); // 0xC000 / 257 = 191.25
    }

    [Fact]
    public void TransparentPixelsAreCompositedOverWhite()
    {
        // Colour type 6 (RGBA): opaque blue, fully transparent red, half-transparent red.
        var png = HandMadeImages.Png(3, 1, 6, 8, [0, 0, 255, 255, 255, 0, 0, 0, 255, 0, 0, 128]);
        var img = ImageDecoder.Load(_dir.Write("alpha.png", png));
        Near((0, 0, 255), Px(img, 0, 0), 0, "opaque");
        Near((255, 255, 255), Px(img, 1, 0), 0, "transparent");
        Near((255, 127, 127), Px(img, 2, 0), 2, "half"); // 255·a + 255·(1−a) for red, 255·(1−a) for green/blue
    }

    [Fact]
    public void BottomUpBgrBmpDecodesUpright()
    {
        byte[] rgb = [255, 0, 0, 0, 255, 0, 0, 0, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        var img = ImageDecoder.Load(_dir.Write("img.bmp", HandMadeImages.Bmp24(3, 2, rgb)));
        Assert.Equal(rgb, img.Pixels);
    }

    [Fact]
    public void AnimatedGifGivesItsFirstFrame()
    {
        byte[] palette = [0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255];
        var path = _dir.Write("anim.gif", HandMadeImages.Gif(4, 3, palette, 1, 2)); // red frame, then blue frame
        var img = ImageDecoder.Load(path);
        Assert.Equal((4, 3), (img.Width, img.Height));
        Assert.All(Enumerable.Range(0, 12), i => Assert.Equal((255, 0, 0), Px(img, i % 4, i / 4)));
        var info = ImageDecoder.ReadInfo(path);
        Assert.Equal(("gif", 2), (info.Format, info.FrameCount));
    }

    [Fact]
    public void CmykJpegBecomesRgb()
    {
        // Ink per block (C, M, Y, K): none -> white, M+Y -> red, C -> cyan, K -> black, half K -> mid gray.
        byte[] inks = [0, 0, 0, 0, 0, 255, 255, 0, 255, 0, 0, 0, 0, 0, 0, 255, 0, 0, 0, 128];
        var img = ImageDecoder.Load(_dir.Write("cmyk.jpg", HandMadeCmykJpeg.Write(5, 1, inks)));
        Assert.Equal((40, 8), (img.Width, img.Height));
        (byte, byte, byte)[] expected = [(255, 255, 255), (255, 0, 0), (0, 255, 255), (0, 0, 0), (127, 127, 127)];
        for (int b = 0; b < 5; b++)
            for (int y = 0; y < 8; y += 7)
                for (int x = b * 8; x < b * 8 + 8; x += 7)
                    Near(expected[b], Px(img, x, y), 2, $"block {b} ({x},{y})");
    }

    [Fact]
    public void LosslessWebPDecodesExactly()
    {
        var rgb = new byte[16 * 8 * 3];
        new Random(7).NextBytes(rgb);
        using var bitmap = SkiaPixels.ToBitmap(new RgbImage(16, 8, rgb));
        using var pixmap = bitmap.PeekPixels();
        using var data = pixmap.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossless, 100));
        var img = ImageDecoder.Load(_dir.Write("img.webp", data!.ToArray()));
        Assert.Equal(rgb, img.Pixels);
    }

    // A 3×2 grid of 16-pixel colour blocks, stored as R G B / C M Y. For each EXIF orientation, the grid the
    // upright picture shows, worked out by hand from the tag's definition (TIFF 6.0 / EXIF 2.3, tag 0x0112).
    [Theory]
    [InlineData(1, "RGB|CMY")]
    [InlineData(2, "BGR|YMC")]
    [InlineData(3, "YMC|BGR")]
    [InlineData(4, "CMY|RGB")]
    [InlineData(5, "RC|GM|BY")]
    [InlineData(6, "CR|MG|YB")]
    [InlineData(7, "YB|MG|CR")]
    [InlineData(8, "BY|GM|RC")]
    public void ExifOrientationIsApplied(int orientation, string uprightGrid)
    {
        var colours = new Dictionary<char, (byte, byte, byte)>
        {
            ['R'] = (255, 0, 0), ['G'] = (0, 255, 0), ['B'] = (0, 0, 255),
            ['C'] = (0, 255, 255), ['M'] = (255, 0, 255), ['Y'] = (255, 255, 0),
        };
        string[] stored = ["RGB", "CMY"];
        var rgb = new byte[48 * 32 * 3];
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 48; x++)
            {
                var (r, g, b) = colours[stored[y / 16][x / 16]];
                rgb[(y * 48 + x) * 3] = r;
                rgb[(y * 48 + x) * 3 + 1] = g;
                rgb[(y * 48 + x) * 3 + 2] = b;
            }
        var jpeg = HandMadeImages.WithExifOrientation(ImageEncoder.Encode(new RgbImage(48, 32, rgb), ImageFormat.Jpeg, 100), orientation);
        var path = _dir.Write($"exif{orientation}.jpg", jpeg);

        var img = ImageDecoder.Load(path);
        var rows = uprightGrid.Split('|');
        Assert.Equal((rows[0].Length * 16, rows.Length * 16), (img.Width, img.Height));
        for (int gy = 0; gy < rows.Length; gy++)
            for (int gx = 0; gx < rows[gy].Length; gx++)
                Near(colours[rows[gy][gx]], Px(img, gx * 16 + 8, gy * 16 + 8), 40, $"cell ({gx},{gy})");

        var info = ImageDecoder.ReadInfo(path);
        Assert.Equal((ImageOrientation)orientation, info.Orientation);
        Assert.Equal((img.Width, img.Height), (info.Width, info.Height));

        var raw = ImageDecoder.Load(path, new ImageDecodeOptions { ApplyExifOrientation = false });
        Assert.Equal((48, 32), (raw.Width, raw.Height));
        Near(colours['R'], Px(raw, 8, 8), 40, "stored top-left");
    }

    [Fact]
    public void MissingFileNamesTheFile()
    {
        string path = Path.Combine(_dir.Path, "nope.jpg");
        var e = Assert.Throws<InvalidInputException>(() => ImageDecoder.Load(path));
        Assert.Equal($"{path}: file not found", e.Message);
        Assert.Equal(3, e.ExitCode);
    }

    [Fact]
    public void FolderIsNotAnImage()
    {
        var e = Assert.Throws<InvalidInputException>(() => ImageDecoder.Load(_dir.Path));
        Assert.Contains("is a folder", e.Message);
        Assert.StartsWith(_dir.Path, e.Message);
    }

    [Fact]
    public void EmptyFileSaysItIsEmpty()
    {
        string path = _dir.Write("empty.png", []);
        var e = Assert.Throws<InvalidInputException>(() => ImageDecoder.Load(path));
        Assert.Equal(path, e.Path);
        Assert.Contains("empty", e.Problem);
    }

    [Fact]
    public void TextFileIsNotARecognizedImage()
    {
        string path = _dir.Write("notes.jpg", "these are not pixels"u8.ToArray());
        var e = Assert.Throws<InvalidInputException>(() => ImageDecoder.Load(path));
        Assert.Equal(path, e.Path);
        Assert.Contains("not a recognized image format", e.Problem);
    }

    [Theory]
    [InlineData("png")]
    [InlineData("jpg")]
    public void TruncatedFileSaysItIsTruncated(string ext)
    {
        var rgb = new byte[64 * 64 * 3];
        new Random(1).NextBytes(rgb); // noise, so the compressed data is large and the cut lands in the pixel data
        var full = ImageEncoder.Encode(new RgbImage(64, 64, rgb), ext == "png" ? ImageFormat.Png : ImageFormat.Jpeg);
        string path = _dir.Write("cut." + ext, full[..(full.Length / 2)]);
        var e = Assert.Throws<InvalidInputException>(() => ImageDecoder.Load(path));
        Assert.Equal(path, e.Path);
        Assert.Contains("truncated", e.Problem);
    }

    [Fact]
    public void DecompressionBombIsRefusedBeforeDecoding()
    {
        // 30000×30000 RGBA would need 3.6 GB; the file is a few hundred bytes.
        string path = _dir.Write("bomb.png", HandMadeImages.PngHeaderOnly(30000, 30000));
        Assert.True(new FileInfo(path).Length < 2000);
        var e = Assert.Throws<InvalidInputException>(() => ImageDecoder.Load(path));
        Assert.Equal(path, e.Path);
        Assert.Contains("30000x30000 = 900 megapixels, above the limit of 100 megapixels", e.Problem);
    }

    [Fact]
    public void PixelLimitIsConfigurable()
    {
        string path = _dir.Write("small.png", HandMadeImages.Png(20, 20, 0, 8, new ushort[400]));
        Assert.Equal(20, ImageDecoder.Load(path, new ImageDecodeOptions { MaxPixels = 400 }).Width);
        var e = Assert.Throws<InvalidInputException>(() => ImageDecoder.Load(path, new ImageDecodeOptions { MaxPixels = 399 }));
        Assert.Contains("above the limit", e.Problem);
    }

    [Fact]
    public void DecodeFromMemoryNamesTheSource()
    {
        var e = Assert.Throws<InvalidInputException>(() => ImageDecoder.Decode([1, 2, 3], "upload-7"));
        Assert.StartsWith("upload-7: ", e.Message);
    }
}
