using System.Globalization;
using System.Text.Json;
using Convolve.Faces;
using Convolve.Faces.Evaluation;
using Convolve.Imaging;
using Convolve.Tests.Imaging;

namespace Convolve.Tests.Cli;

/// <summary>
/// <c>convolve faces calibrate</c>: the threshold for a target FAR chosen on the user's pairs (checked against the
/// order statistic computed here from encodings taken through the analyzer's API), stored in the gallery and used by
/// verify and identify; targets the data cannot support and malformed files are errors.
/// </summary>
public sealed class FacesCalibrateCommandTests(FacesEvaluateCli cli) : IClassFixture<FacesEvaluateCli>, IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Three DevTrain people with three images each; 9 same pairs (within a person), 9 different (across).</summary>
    private (string PairFile, string Images, List<(string A, string B, bool Same)> Pairs) SmallPairSet()
    {
        string[] people = File.ReadLines(Path.Combine(LfwSample.Root, "peopleDevTrain.txt")).Skip(1)
            .Select(l => l.Split('\t')).Where(f => int.Parse(f[1], CultureInfo.InvariantCulture) >= 3).Select(f => f[0]).Take(3).ToArray();
        string images = Path.Combine(_dir.Path, "photos");
        foreach (string p in people) for (int i = 1; i <= 3; i++) LfwSample.Copy(images, p, i);
        var same = people.SelectMany(p => new[] { (p, 1, 2), (p, 1, 3), (p, 2, 3) }).ToList();
        var different = people.SelectMany((p, i) => people.Skip(i + 1).SelectMany(q => new[] { (p, 1, q, 2), (p, 3, q, 1), (p, 2, q, 3) })).ToList();
        var lines = new List<string> { "9" };
        lines.AddRange(same.Select(s => $"{s.Item1}\t{s.Item2}\t{s.Item3}"));
        lines.AddRange(different.Select(d => $"{d.Item1}\t{d.Item2}\t{d.Item3}\t{d.Item4}"));
        string file = _dir.Write("my-pairs.txt", System.Text.Encoding.ASCII.GetBytes(string.Join("\n", lines) + "\n"));
        var pairs = same.Select(s => (LfwLayout.ImagePath(images, s.Item1, s.Item2), LfwLayout.ImagePath(images, s.Item1, s.Item3), true))
            .Concat(different.Select(d => (LfwLayout.ImagePath(images, d.Item1, d.Item2), LfwLayout.ImagePath(images, d.Item3, d.Item4), false)))
            .ToList();
        return (file, images, pairs);
    }

    [Fact]
    public void TheThresholdMeetsTheTargetFarAndVerifyAndIdentifyUseItFromTheGallery()
    {
        var (pairFile, images, pairs) = SmallPairSet();
        string galleryPath = Path.Combine(_dir.Path, "people.db");

        var r = cli.Run("calibrate", "--pairs", pairFile, "--images", images, "--far", "0.2", "--gallery", galleryPath, "--json");

        Assert.True(r.ExitCode == 0, r.Stderr);
        // By hand: 9 different pairs at FAR 0.2 allow ⌊0.2·9⌋ = 1 false accept, so τ is the 2nd smallest
        // different-pair distance (accept d < τ: exactly the smallest one is accepted).
        FaceAnalyzer analyzer = cli.Analyzer();
        var encodings = pairs.SelectMany(p => new[] { p.A, p.B }).Distinct().ToDictionary(p => p, p => LfwSample.Encode(analyzer, p).Encoding);
        var distances = pairs.Select(p => (p.Same, D: FaceAnalyzer.Distance(encodings[p.A], encodings[p.B]))).ToList();
        double expected = distances.Where(d => !d.Same).Select(d => d.D).Order().ElementAt(1);
        double expectedTar = distances.Count(d => d.Same && d.D < expected) / 9.0;
        JsonElement json = r.Json();
        double threshold = json.GetProperty("threshold").GetDouble();
        Assert.Equal(expected, threshold, 5);
        Assert.Equal(expectedTar, json.GetProperty("tar").GetDouble());
        Assert.Equal(1 / 9.0, json.GetProperty("far").GetDouble(), 12);
        Assert.True(json.GetProperty("stored").GetBoolean());

        // From now on the gallery's threshold applies to verify and identify (no threshold passed).
        using var gallery = analyzer.OpenGallery(galleryPath, create: false);
        Assert.Equal((threshold, 0.2, 9, 9), (gallery.CalibratedThreshold!.Threshold, gallery.CalibratedThreshold.FarTarget,
            gallery.CalibratedThreshold.SamePairs, gallery.CalibratedThreshold.DifferentPairs));
        Assert.NotEqual(analyzer.DefaultThreshold, threshold);
        string person = Path.GetFileName(Path.GetDirectoryName(pairs[0].A))!;
        analyzer.Enroll(gallery, person, ImageDecoder.Load(pairs[0].A));
        RgbImage probe = ImageDecoder.Load(pairs[0].B);
        Assert.Equal(threshold, analyzer.Verify(probe, gallery, person).Threshold);
        Assert.All(analyzer.Identify(probe, gallery), f => Assert.Equal(threshold, f.Threshold));
    }

    [Fact]
    public void AFarTheDataCannotSupportExitsThreeSayingHowManyPairsAreNeeded()
    {
        var (pairFile, images, _) = SmallPairSet();
        string galleryPath = Path.Combine(_dir.Path, "people.db");
        var r = cli.Run("calibrate", "--pairs", pairFile, "--images", images, "--far", "0.01", "--gallery", galleryPath);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("a false-accept rate of 0.01 needs at least 100 different-person pairs; the data has 9", r.Stderr);
        Assert.False(File.Exists(galleryPath), "nothing is stored when calibration fails");
    }

    [Fact]
    public void AMalformedPairFileExitsThreeNamingTheFileAndTheLine()
    {
        string pairs = _dir.Write("bad.txt", "1\nAl_Pacino\t1\t2\nAl_Pacino\t1\n"u8.ToArray());
        var r = cli.Run("calibrate", "--pairs", pairs, "--images", _dir.Path, "--far", "0.5");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains($"{pairs}: line 3: expected a different-person pair 'name1 n1 name2 n2', got 'Al_Pacino\t1'", r.Stderr);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1.5")]
    public void AFarOutsideZeroToOneIsAUsageError(string far)
    {
        var r = cli.Run("calibrate", "--pairs", "p.txt", "--images", "i", "--far", far);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--far must be between 0 and 1", r.Stderr);
    }
}
