using System.Text.Json;
using Convolve.Cli.Commands;
using Convolve.Weights;

namespace Convolve.Tests.Style;

/// <summary>The <c>convolve style</c> command end to end (parsing, weights lookup, JSON, memory refusal, saving).</summary>
public sealed class StyleCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("convolve-stylecli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Invoke(params string[] args)
    {
        var (o, e) = (new StringWriter(), new StringWriter());
        int code = Convolve.Cli.Program.Run(args, o, e, TestContext.Current.CancellationToken);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void WithoutWeightsFailsWithExit4NamingBothWaysToGetThem()
    {
        if (ModelStore.Default.TryFind(StyleCommand.Vgg19CacheFile) is { } found) Assert.Skip($"VGG19 is installed at {found}; this test needs it absent.");
        string content = SharedData.Require("data/style/content/tubingen.jpg");
        string style = SharedData.Require("data/style/style/starry_night.jpg");
        var (code, _, err) = Invoke("style", content, style, "-o", Path.Combine(_dir, "x.png"));
        Assert.Equal(4, code);
        Assert.Contains("convolve models pull vgg19", err);
        Assert.Contains("--weights FILE", err);
    }

    [Fact]
    public void JsonReportsLossesAndWritesIntermediateAndFinalImages()
    {
        string weights = SharedData.Require("models/vgg19-normalised-to-conv3_1.safetensors");
        string content = SharedData.Require("data/style/content/tubingen.jpg");
        string style = SharedData.Require("data/style/style/starry_night.jpg");
        TorchSharp.torch.set_num_threads(1);
        string output = Path.Combine(_dir, "out.png");
        var (code, stdout, err) = Invoke("style", content, style, "-o", output, "--size", "48", "--iterations", "4", "--save-every", "2",
            "--network", "vgg19-normalised", "--weights", weights, "--style-weight", "10", "--json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(stdout);
        var r = doc.RootElement;
        Assert.Equal(4, r.GetProperty("iterations").GetInt32());
        Assert.True(r.GetProperty("style_loss_end").GetDouble() < r.GetProperty("style_loss_start").GetDouble());
        foreach (var key in new[] { "content_loss_start", "content_loss_end", "seconds" }) Assert.True(r.TryGetProperty(key, out _), key);
        Assert.True(File.Exists(output));
        Assert.True(File.Exists(Path.Combine(_dir, "out_iter2.png")));
        Assert.True(File.Exists(Path.Combine(_dir, "out_iter4.png")));
        Assert.Contains("estimated peak memory", err);
    }

    [Fact]
    public void RefusesWhenTheEstimateExceedsMaxMemoryAndSuggestsASize()
    {
        string weights = SharedData.Require("models/vgg19-normalised-to-conv3_1.safetensors");
        string content = SharedData.Require("data/style/content/tubingen.jpg");
        string style = SharedData.Require("data/style/style/starry_night.jpg");
        var (code, stdout, err) = Invoke("style", content, style, "-o", Path.Combine(_dir, "big.png"), "--size", "4000",
            "--network", "vgg19-normalised", "--weights", weights, "--max-memory", "1G", "--json");
        Assert.Equal(1, code);
        Assert.Contains("exceeds --max-memory", err);
        Assert.Contains("exceeds --max-memory", stdout); // the JSON error document
        Assert.Contains("Try --size", err);
        Assert.False(File.Exists(Path.Combine(_dir, "big.png")));
    }

    [Fact]
    public void BadArgumentsAreUsageErrors()
    {
        string weights = SharedData.Require("models/vgg19-normalised-to-conv3_1.safetensors");
        string content = SharedData.Require("data/style/content/tubingen.jpg");
        var (code, _, err) = Invoke("style", content, "-o", Path.Combine(_dir, "x.png"), "--weights", weights, "--network", "vgg19-normalised");
        Assert.Equal(2, code);
        Assert.Contains("STYLE", err);
        var (code2, _, err2) = Invoke("style", content, Path.Combine(_dir, "missing.jpg"), "-o", Path.Combine(_dir, "x.png"), "--weights", weights, "--network", "vgg19-normalised");
        Assert.Equal(3, code2);
        Assert.Contains("missing.jpg", err2);
    }
}
