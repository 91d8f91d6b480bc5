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
}
