using System.Globalization;
using System.Text.RegularExpressions;
using Convolve.Faces;
using Convolve.Faces.Demo;
using Convolve.Faces.Gallery;
using Convolve.Imaging;
using Convolve.Tests.Faces;
using Convolve.Tests.Imaging;
using static Convolve.Tests.Cli.FacesTestData;

namespace Convolve.Tests.Cli;

/// <summary>Runs <c>convolve demo</c> once (about 9 pipeline runs) for the whole class.</summary>
public sealed class DemoRunFixture : IDisposable
{
    private readonly TempFolder _dir = new();
    private CliOutcome? _outcome;

    public string Output => Path.Combine(_dir.Path, "demo-out");

    internal CliOutcome Outcome
    {
        get
        {
            lock (_dir) return _outcome ??= CliRunner.Run("demo", "--out", Output, "--models", ModelDir);
        }
    }

    public void Dispose() => _dir.Dispose();
}

/// <summary>
/// The demo's table and counts are what the library computes, not what looks good: every row is checked against
/// the library run independently (its own gallery of photo 1's faces), and the counts against the rows.
/// </summary>
public sealed class DemoCommandTests(DemoRunFixture demo, FaceAnalyzerFixture fixture) : IClassFixture<DemoRunFixture>, IClassFixture<FaceAnalyzerFixture>
{
    private sealed record Row(string Photo, int Face, string Truth, string Answer, string Nearest, double Distance, string Outcome);

    private IReadOnlyList<Row> Rows()
    {
        var rows = new List<Row>();
        foreach (string line in demo.Outcome.Stdout.Split('\n'))
        {
            var cells = line.Split('│', StringSplitOptions.TrimEntries);
            if (cells.Length != 9 || !cells[2].StartsWith('#')) continue;
            rows.Add(new Row(cells[1], int.Parse(cells[2][1..], CultureInfo.InvariantCulture), cells[3], cells[4], cells[5],
                double.Parse(cells[6], CultureInfo.InvariantCulture), cells[7]));
        }
        return rows;
    }

    private int Count(string pattern) =>
        int.Parse(Regex.Match(demo.Outcome.Stdout, pattern).Groups[1].Value, CultureInfo.InvariantCulture);

    [Fact]
    public void EveryFaceOfTheSixPhotosIsEnrolledOrIdentified()
    {
        Assert.Equal(0, demo.Outcome.ExitCode);
        var rows = Rows();
        // face-api finds 3+3+3 faces in photos 1-3 and 4+5+4 in photos 4-6 (tests/reference/fixtures).
        int enrolled = Enumerable.Range(1, 3).Sum(k => Reference(k).Count);
        int strangers = Enumerable.Range(4, 3).Sum(k => Reference(k).Count);
        Assert.Contains($"= {enrolled} people.", demo.Outcome.Stdout);
        Assert.Equal(strangers, rows.Count(r => r.Truth == "(never enrolled)"));
        Assert.Equal(enrolled, rows.Count(r => r.Photo.EndsWith("(mirror)", StringComparison.Ordinal))); // a mirror has the same faces
        Assert.All(rows.Where(r => r.Photo.EndsWith("(mirror)", StringComparison.Ordinal)),
            r => Assert.StartsWith(r.Photo[..7] + "-face", r.Truth)); // each mirrored face is matched to its enrolled original

        // Nine annotated PNGs, each of its photo's size.
        var pngs = Directory.GetFiles(demo.Output, "*.png").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(9, pngs.Count);
        Assert.Contains("sample4-identified.png", pngs);
        var annotated = ImageDecoder.Load(Path.Combine(demo.Output, "sample2-mirror-identified.png"));
        Assert.Equal((1920, 1367), (annotated.Width, annotated.Height));
    }

    [Fact]
    public void CountsAreTheRowsAndTheThresholdIsTheAnalyzers()
    {
        var rows = Rows();
        string threshold = fixture.Get().DefaultThreshold.ToString("0.####", CultureInfo.InvariantCulture);
        Assert.Contains($"Threshold in force: {threshold} ", demo.Outcome.Stdout);
        double tau = fixture.Get().DefaultThreshold;

        foreach (var row in rows)
        {
            // The answer follows from the distance and the threshold, and the outcome from the answer and the truth.
            Assert.Equal(row.Distance < tau ? row.Nearest : "unknown", row.Answer);
            string expected = row.Answer == "unknown" ? "unknown" : row.Answer == row.Truth ? "recognized" : "wrong";
            Assert.Equal(expected, row.Outcome);
        }
        var mirrors = rows.Where(r => r.Photo.EndsWith("(mirror)", StringComparison.Ordinal)).ToList();
        var strangers = rows.Except(mirrors).ToList();
        string Line(string group, List<Row> g) =>
            $"{group}: {g.Count} faces: {g.Count(r => r.Outcome == "recognized")} recognized, {g.Count(r => r.Outcome == "unknown")} unknown, {g.Count(r => r.Outcome == "wrong")} wrong.";
        Assert.Contains(Line("Enrolled people, mirror images of photos 1-3", mirrors), demo.Outcome.Stdout);
        Assert.Contains(Line("Never-enrolled people, photos 4-6", strangers), demo.Outcome.Stdout);
        int correct = mirrors.Count(r => r.Outcome == "recognized") + strangers.Count(r => r.Outcome == "unknown");
        Assert.Contains($"Correct answers: {correct} of {rows.Count}.", demo.Outcome.Stdout);
        Assert.Equal(rows.Count, Count(@"Enrolled people[^:]*: (\d+) faces") + Count(@"Never-enrolled people[^:]*: (\d+) faces"));
    }

    [Fact]
    public void DistancesAreWhatTheLibraryComputes()
    {
        // Rebuild part of the demo with the library: enroll photo 1's faces under the same names, identify the faces of
        // photo 1's mirror and of photo 4. Where the demo's nearest identity is one of photo 1's, its distance must be
        // the library's distance to that identity; otherwise it must be no larger than the distance to any of them.
        var analyzer = fixture.Get();
        using var dir = new TempFolder();
        using var gallery = analyzer.OpenGallery(Path.Combine(dir.Path, "g.db"));
        var photo1 = ImageDecoder.Load(Sample(1));
        var enrolled = analyzer.Encode(photo1);
        gallery.Enroll(enrolled.Select((f, i) => new FaceSample($"sample1-face{i}", f.Encoding)));
        var rows = Rows();
        foreach (var (name, image) in new[] { ("sample1 (mirror)", ImageTransforms.Mirror(photo1)), ("sample4", ImageDecoder.Load(Sample(4))) })
        {
            var encoded = analyzer.Encode(image);
            var ours = encoded.Select(f => gallery.Identify(f.Encoding, threshold: 0)).ToList();
            var theirs = rows.Where(r => r.Photo == name).OrderBy(r => r.Face).ToList();
            Assert.Equal(ours.Count, theirs.Count);
            for (int i = 0; i < ours.Count; i++)
            {
                if (theirs[i].Nearest.StartsWith("sample1-", StringComparison.Ordinal))
                {
                    Assert.Equal(gallery.DistanceTo(theirs[i].Nearest, encoded[i].Encoding)!.Value, theirs[i].Distance, 4e-4);
                    Assert.Equal(ours[i].NearestIdentity, theirs[i].Nearest);
                }
                Assert.True(theirs[i].Distance <= ours[i].Distance!.Value + 5e-5, $"{name} #{i}: {theirs[i].Distance} > {ours[i].Distance}");
            }
        }
    }

    [Fact]
    public void MissingSamplesFolderIsABadInput()
    {
        var r = CliRunner.Run("demo", "--samples", Path.Combine(Path.GetTempPath(), "no-such-samples"), "--models", ModelDir);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("sample photo not found", r.Stderr);
    }
}
