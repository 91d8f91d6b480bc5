using System.Numerics.Tensors;
using System.Text.Json;
using Convolve.Faces;
using Convolve.Faces.Gallery;
using Convolve.Imaging;
using Convolve.Tests.Imaging;
using static Convolve.Tests.Cli.FacesTestData;

namespace Convolve.Tests.Cli;

/// <summary><c>faces identify --top K</c>: each face's K nearest enrolled people, checked against distances computed by hand from the stored encodings.</summary>
public sealed class FacesIdentifyTopTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static CliOutcome Faces(params string[] args) => CliRunner.Run(["faces", .. args, "--models", ModelDir]);

    private string EnrollFour()
    {
        string gallery = Path.Combine(_dir.Path, "g.db");
        foreach (var (name, sample, face) in new[] { ("Ann", 1, 0), ("Bo", 2, 0), ("Cy", 3, 0), ("Di", 3, 1) })
            Assert.Equal(0, Faces("enroll", name, Sample(sample), "--face", face.ToString(System.Globalization.CultureInfo.InvariantCulture), "--gallery", gallery).ExitCode);
        return gallery;
    }

    [Fact]
    public void Each_face_lists_its_nearest_people_in_order_with_their_distances()
    {
        string gallery = EnrollFour();
        var r = Faces("identify", Sample(3), "--top", "3", "--gallery", gallery, "--json");
        Assert.Equal(0, r.ExitCode);

        // By hand: each person's distance is the smallest over their stored encodings (one each here).
        using var analyzer = FaceAnalyzer.Load(new FaceAnalyzerOptions { Models = new Convolve.Weights.ModelStore(ModelDir) });
        using var g = analyzer.OpenGallery(gallery, create: false);
        var stored = g.Entries().GroupBy(e => e.Identity).ToDictionary(x => x.Key, x => x.Select(e => e.Encoding).ToList());
        var encoded = analyzer.Encode(ImageDecoder.Load(Sample(3)));
        var faces = r.Json().GetProperty("images")[0].GetProperty("faces").EnumerateArray().ToList();
        Assert.Equal(encoded.Count, faces.Count);
        for (int i = 0; i < faces.Count; i++)
        {
            var expected = stored.Select(p => (Name: p.Key, Distance: p.Value.Min(s => (double)TensorPrimitives.Distance(encoded[i].Encoding, s))))
                .OrderBy(p => p.Distance).Take(3).ToList();
            var candidates = faces[i].GetProperty("candidates").EnumerateArray().ToList();
            Assert.Equal(expected.Select(e => e.Name), candidates.Select(c => c.GetProperty("name").GetString()));
            for (int k = 0; k < 3; k++) Assert.Equal(expected[k].Distance, candidates[k].GetProperty("distance").GetDouble(), 3);
            // The first candidate is the nearest person the answer names (or would name, when too far).
            Assert.Equal(faces[i].GetProperty("nearest").GetString(), candidates[0].GetProperty("name").GetString());
        }
        // The enrolled faces of sample 3 come first for themselves, at distance 0.
        Assert.Contains(faces, f => f.GetProperty("candidates")[0].GetProperty("name").GetString() == "Cy" && f.GetProperty("candidates")[0].GetProperty("distance").GetDouble() < 1e-3);
    }

    [Fact]
    public void Without_top_there_are_no_candidates_and_text_output_shows_them_when_asked()
    {
        string gallery = EnrollFour();
        var plain = Faces("identify", Sample(3), "--gallery", gallery, "--json");
        Assert.All(plain.Json().GetProperty("images")[0].GetProperty("faces").EnumerateArray(),
            f => Assert.False(f.TryGetProperty("candidates", out _)));

        var text = Faces("identify", Sample(3), "--top", "10", "--gallery", gallery);
        Assert.Equal(0, text.ExitCode);
        // Only four people are enrolled: a longer list is cut to them.
        var lines = text.Stdout.Split('\n').Where(l => l.TrimStart().StartsWith("candidates:", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.Equal(4, l.Split(':', 2)[1].Split(',').Length));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("101")]
    public void A_top_outside_1_to_100_is_a_usage_error(string k)
    {
        var r = Faces("identify", Sample(3), "--top", k, "--gallery", Path.Combine(_dir.Path, "none.db"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--top must lie between 1 and 100", r.Stderr);
    }

    [Fact]
    public void The_library_lists_candidates_only_when_asked()
    {
        string gallery = EnrollFour();
        using var analyzer = FaceAnalyzer.Load(new FaceAnalyzerOptions { Models = new Convolve.Weights.ModelStore(ModelDir) });
        using var g = analyzer.OpenGallery(gallery, create: false);
        var image = ImageDecoder.Load(Sample(3));
        Assert.All(analyzer.Identify(image, g), f => Assert.Empty(f.Candidates));
        Assert.All(analyzer.Identify(image, g, top: 2), f =>
        {
            Assert.Equal(2, f.Candidates.Count);
            Assert.True(f.Candidates[0].Distance <= f.Candidates[1].Distance);
            Assert.Equal(f.Distance!.Value, f.Candidates[0].Distance, 6);
        });
    }
}
