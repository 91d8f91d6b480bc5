using Convolve.Imaging;
using Convolve.Tests.Imaging;

namespace Convolve.Tests.Cli;

/// <summary>
/// <c>convolve faces chips</c> end to end: an identity tree becomes 150×150 PNG chips in the same identity folders,
/// the summary counts images, chips, undetected faces and failures, a corrupt file gives exit 3 after the rest are done.
/// </summary>
public sealed class FacesChipsCommandTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WritesOneChipPerImageAndReportsTheCounts()
    {
        string images = Path.Combine(_dir.Path, "in"), chips = Path.Combine(_dir.Path, "chips");
        LfwSample.Copy(images, "Aaron_Peirsol", 1);
        LfwSample.Copy(images, "Aaron_Peirsol", 2);
        _dir.Write("in/Nobody/grey.jpg", LfwSample.GreyJpeg());
        _dir.Write("in/Nobody/broken.jpg", [1, 2, 3]);

        var r = CliRunner.Run("faces", "chips", "--images", images, "--out", chips, "--json", "--models", FacesTestData.ModelDir);

        Assert.True(r.ExitCode == 3, r.Stderr);
        var json = r.Json();
        Assert.Equal(4, json.GetProperty("images").GetInt32());
        Assert.Equal(3, json.GetProperty("chips").GetInt32());
        Assert.Equal(1, json.GetProperty("undetected").GetInt32());
        Assert.EndsWith("broken.jpg", json.GetProperty("failed")[0].GetProperty("path").GetString());
        Assert.StartsWith("face-api-frn-", json.GetProperty("model").GetString());
        Assert.Contains("broken.jpg", r.Stderr);
        string[] written = Directory.GetFiles(chips, "*.png", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(chips, p)).Order().ToArray();
        Assert.Equal(["Aaron_Peirsol/Aaron_Peirsol_0001.png", "Aaron_Peirsol/Aaron_Peirsol_0002.png", "Nobody/grey.png"], written);
        RgbImage chip = ImageDecoder.Load(Path.Combine(chips, written[0]));
        Assert.Equal((150, 150), (chip.Width, chip.Height));
    }

    [Fact]
    public void HumanOutputIsATableAndTheInputFolderIsNeverTheOutput()
    {
        string images = Path.Combine(_dir.Path, "in");
        LfwSample.Copy(images, "AJ_Cook", 1);

        var same = CliRunner.Run("faces", "chips", "--images", images, "--out", images, "--models", FacesTestData.ModelDir);
        var ok = CliRunner.Run("faces", "chips", "--images", images, "--out", Path.Combine(_dir.Path, "chips"), "--align", "landmarks", "--models", FacesTestData.ModelDir);

        Assert.Equal(3, same.ExitCode);
        Assert.Contains("input folder", same.Stderr);
        Assert.True(ok.ExitCode == 0, ok.Stderr);
        Assert.Contains("chips written", ok.Stdout);
        Assert.Contains("/aligned", ok.Stdout);
    }
}
