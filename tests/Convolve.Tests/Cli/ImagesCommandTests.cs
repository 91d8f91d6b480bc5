using Convolve.Imaging;
using Convolve.Tests.Imaging;

namespace Convolve.Tests.Cli;

public sealed class ImagesCommandTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Good(string name, int w = 6, int h = 4) =>
        _dir.Write(name, ImageEncoder.Encode(new RgbImage(w, h, new byte[w * h * 3]), ImageFormat.Png));

    [Fact]
    public void ABadFileIsReportedAndSkippedAndTheExitCodeSaysSo()
    {
        string a = Good("a.png", 6, 4);
        string bad = _dir.Write("b.jpg", "not an image"u8.ToArray());
        string c = Good("c.png", 3, 5);

        var r = CliRunner.Run("images", "check", _dir.Path, "--json");
        Assert.Equal(3, r.ExitCode);
        var json = r.Json();
        var images = json.GetProperty("images").EnumerateArray().ToList();
        Assert.Equal([a, c], images.Select(i => i.GetProperty("path").GetString()));
        Assert.Equal((3, 5), (images[1].GetProperty("width").GetInt32(), images[1].GetProperty("height").GetInt32()));
        var failed = json.GetProperty("failed")[0];
        Assert.Equal(bad, failed.GetProperty("path").GetString());
        Assert.Contains("not a recognized image format", failed.GetProperty("error").GetString());
        Assert.Equal(3, json.GetProperty("summary").GetProperty("total").GetInt32());
        Assert.Contains($"skipped {bad}: not a recognized image format", r.Stderr);
        Assert.Contains("3 files: 2 done, 1 failed.", r.Stderr);
    }

    [Fact]
    public void AllGoodFilesExitZeroWithHumanLines()
    {
        string a = Good("a.png");
        var r = CliRunner.Run("images", "check", Path.Combine(_dir.Path, "*.png"));
        Assert.Equal(0, r.ExitCode);
        Assert.Equal($"{a}\tpng\t6x4", r.Stdout.Trim());
        Assert.Contains("1 file: 1 done, 0 failed.", r.Stderr);
    }

    [Fact]
    public void AGlobMatchingNothingExitsThreeNamingIt()
    {
        string pattern = Path.Combine(_dir.Path, "*.webp");
        var r = CliRunner.Run("images", "check", pattern);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains($"error: {pattern}: the pattern matches no image files", r.Stderr);
    }

    [Fact]
    public void MaxPixelsGuardsEveryFile()
    {
        Good("big.png", 10, 10);
        var r = CliRunner.Run("images", "check", _dir.Path, "--max-pixels", "99");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("above the limit", r.Stderr);
    }

    [Fact]
    public void MissingArgumentIsAUsageError()
    {
        Assert.Equal(2, CliRunner.Run("images", "check").ExitCode);
    }

    [Fact]
    public void CtrlCStopsTheBatchWithExit130()
    {
        Good("a.png");
        Good("b.png");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var r = CliRunner.Run(cts.Token, "images", "check", _dir.Path);
        Assert.Equal(130, r.ExitCode);
        Assert.Equal("", r.Stdout.Trim());
    }
}
