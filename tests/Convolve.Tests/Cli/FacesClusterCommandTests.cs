using Convolve.Faces;
using Convolve.Imaging;
using Convolve.Tests.Faces;
using Convolve.Tests.Imaging;
using static Convolve.Tests.Cli.FacesTestData;

namespace Convolve.Tests.Cli;

/// <summary><c>faces cluster</c> end to end: a group photo, its mirror image and a photo of other people.</summary>
public sealed class FacesClusterCommandTests(FaceAnalyzerFixture analyzers) : IClassFixture<FaceAnalyzerFixture>, IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Each_person_and_their_mirror_image_form_a_group_and_strangers_stay_apart()
    {
        var photo = ImageDecoder.Load(Sample(3));
        string mirror = Save(ImageTransforms.Mirror(photo), Path.Combine(_dir.Path, "mirror.png"));
        string others = Sample(5);
        string thumbs = Path.Combine(_dir.Path, "groups");
        string missing = Path.Combine(_dir.Path, "gone.jpg");

        var r = CliRunner.Run(["faces", "cluster", Sample(3), mirror, others, missing, "--out", thumbs, "--json", "--models", ModelDir]);
        Assert.Equal(3, r.ExitCode); // the missing file is reported; the others are clustered
        var json = r.Json();
        Assert.Equal(FaceAnalyzer.DefaultAlignment == FaceAlignment.Landmarks ? 0.735 * 0.6119 : 0.735 * 0.6171, json.GetProperty("threshold").GetDouble(), 9);
        Assert.Equal(missing, json.GetProperty("failed")[0].GetProperty("path").GetString());
        var groups = json.GetProperty("groups").EnumerateArray()
            .Select(g => g.GetProperty("faces").EnumerateArray()
                .Select(f => (File: f.GetProperty("file").GetString()!, X: f.GetProperty("box")[0].GetDouble(), W: f.GetProperty("box")[2].GetDouble(), Thumb: f.GetProperty("thumbnail").GetString()!))
                .ToList())
            .ToList();
        int sampleFive = analyzers.Get().Detect(ImageDecoder.Load(others)).Count;
        Assert.Equal(3 + sampleFive, groups.Count);

        // The three largest groups: one person of sample3 each, with their mirrored self (box mirrored: x ↦ W − x − w).
        foreach (var g in groups.Take(3))
        {
            Assert.Equal(2, g.Count);
            var original = Assert.Single(g, f => f.File == Sample(3));
            var twin = Assert.Single(g, f => f.File == mirror);
            Assert.InRange(photo.Width - original.X - original.W - twin.X, -0.1 * original.W, 0.1 * original.W); // the detector is not exactly mirror-symmetric
        }
        // sample5's people appear nowhere else: one group each.
        Assert.All(groups.Skip(3), g => Assert.Equal(others, Assert.Single(g).File));
        // Thumbnails: one PNG per face, in the group's folder.
        Assert.All(groups.Select((g, k) => (g, k)), x => Assert.All(x.g, f =>
        {
            Assert.Equal(Path.Combine(thumbs, $"person-{x.k + 1:D3}"), Path.GetDirectoryName(f.Thumb));
            Assert.True(File.Exists(f.Thumb));
        }));
    }

    [Fact]
    public void A_threshold_of_zero_is_refused()
    {
        var r = CliRunner.Run(["faces", "cluster", Sample(3), "--threshold", "0", "--models", ModelDir]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--threshold must be a positive number", r.Stderr);
    }
}
