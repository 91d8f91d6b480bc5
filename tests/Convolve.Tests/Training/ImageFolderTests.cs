using Convolve.Data;
using SkiaSharp;

namespace Convolve.Tests.Training;

/// <summary>Image folder datasets: centre square crop, resize and [−1, 1] scaling, checked on solid-colour PNGs.</summary>
public sealed class ImageFolderTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("convolve-images-").FullName;

    private void WritePng(string path, int width, int height, Func<int, int, SKColor> colour)
    {
        using var bitmap = new SKBitmap(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) bitmap.SetPixel(x, y, colour(x, y));
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, data.ToArray());
    }

    [Fact]
    public void Images_are_centre_cropped_resized_and_scaled_to_minus_one_one()
    {
        // 40×20: the centre 20×20 square is red, the 10-px margins left and right are blue and must be cropped away.
        WritePng(Path.Combine(dir, "ann", "a.png"), 40, 20, (x, _) => x is >= 10 and < 30 ? new SKColor(255, 0, 0) : new SKColor(0, 0, 255));
        WritePng(Path.Combine(dir, "ann", "b.png"), 16, 16, (_, _) => new SKColor(128, 128, 128));
        WritePng(Path.Combine(dir, "ben", "a.png"), 16, 16, (_, _) => new SKColor(0, 255, 0));
        File.WriteAllText(Path.Combine(dir, "ben", "broken.png"), "not a png");

        var data = FolderDataset.Load(dir, Modality.Image, size: 8);
        Assert.Equal(new[] { "ann", "ben" }, data.Identities);
        Assert.Equal(new long[] { 3, 8, 8 }, data.SampleShape);

        var red = data.Load(0);
        Assert.All(red.Take(64), v => Assert.Equal(1f, v, 3));           // R plane
        Assert.All(red.Skip(64), v => Assert.Equal(-1f, v, 3));          // G and B planes: no blue margin left
        Assert.All(data.Load(1), v => Assert.Equal(128 / 255f * 2 - 1, v, 3));
        var e = Assert.ThrowsAny<ConvolveException>(() => data.Load(3));
        Assert.Contains("broken.png", e.Message);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);
}
