using Convolve.Tests.Imaging;
using static Convolve.Tests.Cli.FacesTestData;

namespace Convolve.Tests.Cli;

/// <summary><c>--far</c> on identify and verify: the threshold of the LFW table, exclusive with --threshold, range-checked.</summary>
public sealed class FacesFarOptionTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static CliOutcome Faces(params string[] args) => CliRunner.Run(["faces", .. args, "--models", ModelDir]);

    [Fact]
    public void Identify_and_verify_use_the_threshold_of_the_false_accept_rate()
    {
        string gallery = Path.Combine(_dir.Path, "g.db");
        Assert.Equal(0, Faces("enroll", "Ann", Sample(3), "--face", "0", "--gallery", gallery).ExitCode);
        var identify = Faces("identify", Sample(3), "--far", "1e-4", "--gallery", gallery, "--json");
        Assert.Equal(0, identify.ExitCode);
        Assert.Equal(0.4718, identify.Json().GetProperty("threshold").GetDouble(), 9);

        var verify = Faces("verify", Sample(3), Sample(3), "--far", "1e-3", "--json");
        Assert.Equal(0, verify.ExitCode);
        Assert.Equal(0.5387, verify.Json().GetProperty("threshold").GetDouble(), 9);
        Assert.True(verify.Json().GetProperty("same").GetBoolean()); // the same photo: distance 0
    }

    [Fact]
    public void Far_with_threshold_or_out_of_range_is_a_usage_error()
    {
        var both = Faces("verify", Sample(3), Sample(3), "--far", "1e-3", "--threshold", "0.5");
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("not both", both.Stderr);
        var tooLarge = Faces("identify", Sample(3), "--far", "0.1", "--gallery", Path.Combine(_dir.Path, "none.db"));
        Assert.Equal(2, tooLarge.ExitCode);
        Assert.Contains("--far must lie between 1e-6 and 1e-2", tooLarge.Stderr);
    }

    /// <summary>A gallery of <paramref name="people"/> made-up people (random encodings) for the default analyzer.</summary>
    private string GalleryOf(int people)
    {
        string path = Path.Combine(_dir.Path, $"g{people}.db");
        string model = Convolve.Faces.FaceAnalyzer.Load(new Convolve.Faces.FaceAnalyzerOptions { Models = new Convolve.Weights.ModelStore(ModelDir) }).ModelId;
        var rng = new Random(people);
        using var g = Convolve.Faces.Gallery.FaceGallery.OpenOrCreate(path, model);
        for (int p = 0; p < people; p++) g.Enroll($"P{p}", Enumerable.Range(0, 128).Select(_ => (float)rng.NextDouble()).ToArray());
        return path;
    }

    [Fact]
    public void Identify_against_a_large_uncalibrated_gallery_says_how_often_strangers_are_misnamed()
    {
        string twelve = GalleryOf(12);
        var r = Faces("identify", Sample(3), "--gallery", twelve);
        Assert.Equal(0, r.ExitCode);
        // At the default threshold (above the table's 1e-2 entry): 1 − 0.99^12 = 11.4 %.
        Assert.Contains($"{twelve} holds 12 people and no calibrated threshold", r.Stderr);
        Assert.Contains("about 11 % of the time", r.Stderr);
        Assert.DoesNotContain("no calibrated threshold", Faces("identify", Sample(3), "--gallery", twelve, "--far", "1e-4").Stderr);
        Assert.DoesNotContain("no calibrated threshold", Faces("identify", Sample(3), "--gallery", GalleryOf(5)).Stderr);
    }
}
