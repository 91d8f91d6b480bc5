using Convolve.Imaging;
using System.Text.Json;
using Convolve.Faces;
using Convolve.Faces.Evaluation;
using Convolve.Tests.Imaging;

namespace Convolve.Tests.Cli;

/// <summary>
/// <c>convolve faces evaluate</c> end to end on a few LFW View 1 pairs. Expected values are recomputed here from
/// encodings taken through the analyzer's public API and a brute-force threshold search, not from the evaluation library.
/// </summary>
public sealed class FacesEvaluateCommandTests(FacesEvaluateCli cli) : IClassFixture<FacesEvaluateCli>, IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void PairEvaluationReportsTheProtocolMetricsConsistentWithThePerPairDistances()
    {
        var (sameLines, differentLines) = LfwSample.PairLines("pairsDevTest.txt", 8, 8);
        string images = Path.Combine(_dir.Path, "lfw");
        var distinct = sameLines.Concat(differentLines).SelectMany(LfwSample.Images).Distinct()
            .Select(i => LfwLayout.ImagePath(images, i.Name, i.Index)).ToList();
        foreach (var (name, index) in sameLines.Concat(differentLines).SelectMany(LfwSample.Images).Distinct()) LfwSample.Copy(images, name, index);
        // One image without a face (kept, centre fallback) and one unreadable image (its pairs left out, exit 3).
        string faceless = LfwLayout.ImagePath(images, LfwSample.Images(differentLines[0]).First().Name, LfwSample.Images(differentLines[0]).First().Index);
        string corrupt = LfwLayout.ImagePath(images, LfwSample.Images(differentLines[1]).Last().Name, LfwSample.Images(differentLines[1]).Last().Index);
        File.WriteAllBytes(faceless, LfwSample.GreyJpeg());
        File.WriteAllBytes(corrupt, "not a jpeg"u8.ToArray());
        string pairs = _dir.Write("pairs.txt", System.Text.Encoding.ASCII.GetBytes(string.Join("\n", ["8", .. sameLines, .. differentLines]) + "\n"));
        string plots = Path.Combine(_dir.Path, "plots");

        var r = cli.Run("evaluate", "--pairs", pairs, "--images", images, "--plot", plots, "--per-pair", "--json");

        Assert.True(r.ExitCode == 3, r.Stderr);
        Assert.Contains($"skipped {corrupt}: ", r.Stderr);
        JsonElement json = r.Json();
        var rows = json.GetProperty("per_pair").EnumerateArray().Select(p => (
            Line: p.GetProperty("line").GetInt32(), A: p.GetProperty("a").GetString()!, B: p.GetProperty("b").GetString()!,
            Same: p.GetProperty("same").GetBoolean(), Fold: p.GetProperty("fold").GetInt32(), Distance: p.GetProperty("distance").GetDouble())).ToList();

        // Every pair is accounted for: the ones naming the unreadable image are left out and counted, the rest are
        // in file order with the folds of the stated protocol (i-th same and i-th different pair in fold i mod 10).
        var expectedLines = Enumerable.Range(2, 16).Where(line =>
            !LfwSample.Images(line <= 9 ? sameLines[line - 2] : differentLines[line - 10]).Any(i => LfwLayout.ImagePath(images, i.Name, i.Index) == corrupt)).ToList();
        Assert.Equal(expectedLines, rows.Select(p => p.Line));
        Assert.Equal(16 - expectedLines.Count, json.GetProperty("skipped_pairs").GetInt32());
        Assert.Equal(rows.Count, json.GetProperty("pairs").GetInt32());
        Assert.Equal(corrupt, json.GetProperty("failed")[0].GetProperty("path").GetString());
        int s = 0, d = 0;
        Assert.All(rows, p => Assert.Equal((p.Same ? s++ : d++) % 10, p.Fold));
        Assert.StartsWith($"{rows.Select(p => p.Fold).Distinct().Count()}-fold cross-validation within the file", json.GetProperty("protocol").GetString());

        // The metrics by hand from those distances: per fold the best threshold of the other folds (brute force,
        // smallest best midpoint), accuracy on the fold; mean and sample std; AUC as P(d_same < d_diff) + ½ ties.
        var scored = rows.Select(p => (p.Same, p.Distance, p.Fold)).ToList();
        var foldAccuracies = scored.Select(p => p.Fold).Distinct().Order().Select(k =>
        {
            double tau = BestThreshold(scored.Where(p => p.Fold != k).ToList());
            var held = scored.Where(p => p.Fold == k).ToList();
            return held.Count(p => (p.Distance < tau) == p.Same) / (double)held.Count;
        }).ToArray();
        double mean = foldAccuracies.Average();
        double std = Math.Sqrt(foldAccuracies.Sum(a => (a - mean) * (a - mean)) / (foldAccuracies.Length - 1));
        var sames = scored.Where(p => p.Same).Select(p => p.Distance).ToList();
        var diffs = scored.Where(p => !p.Same).Select(p => p.Distance).ToList();
        double auc = sames.Sum(x => diffs.Sum(y => x < y ? 1.0 : x == y ? 0.5 : 0)) / (sames.Count * diffs.Count);
        Assert.Equal(mean, json.GetProperty("accuracy").GetDouble(), 9);
        Assert.Equal(std, json.GetProperty("accuracy_std").GetDouble(), 9);
        Assert.Equal(auc, json.GetProperty("auc").GetDouble(), 9);
        Assert.InRange(json.GetProperty("eer").GetDouble(), 0, 1);
        double threshold = json.GetProperty("threshold").GetDouble();
        Assert.Equal(BestAccuracy(scored), scored.Count(p => (p.Distance < threshold) == p.Same) / (double)scored.Count, 9);
        // 7 or 8 different pairs cannot measure a FAR of 1e-2 or 1e-3: reported as null with the reason, never made up.
        var tar = json.GetProperty("tar_at_far");
        Assert.Equal(JsonValueKind.Null, tar.GetProperty("0.001").ValueKind);
        Assert.Equal(JsonValueKind.Null, tar.GetProperty("0.01").ValueKind);
        Assert.Contains(json.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("needs at least 100 different-person pairs"));

        // Undetected: the images listed without a detection, the grey one among them, and the count agrees.
        var status = json.GetProperty("images").EnumerateArray().ToDictionary(i => i.GetProperty("path").GetString()!, i => i.GetProperty("detected").GetBoolean());
        Assert.Equal(distinct.Where(p => p != corrupt).Order(StringComparer.Ordinal), status.Keys);
        Assert.False(status[faceless]);
        Assert.Equal(status.Values.Count(v => !v), json.GetProperty("undetected").GetInt32());
        Assert.Contains("centred box", json.GetProperty("undetected_handling").GetString());

        // Spot-check the library's distances against encodings through the analyzer's public API: the first same
        // pair and the pair with the faceless image (centre fallback).
        FaceAnalyzer analyzer = cli.Analyzer();
        foreach (var row in new[] { rows[0], rows.First(p => p.A == faceless || p.B == faceless) })
        {
            var (a, detectedA) = LfwSample.Encode(analyzer, row.A);
            var (b, detectedB) = LfwSample.Encode(analyzer, row.B);
            Assert.Equal(FaceAnalyzer.Distance(a, b), row.Distance, 4);
            Assert.Equal((status[row.A], status[row.B]), (detectedA, detectedB));
        }
        foreach (string png in new[] { "roc.png", "distances.png" })
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Path.Combine(plots, png))[..4]);
    }

    [Fact]
    public void FlipAlignAndDetectorReachThePipelineAndTheTrainTestProtocolIsStated()
    {
        var (trainSame, trainDifferent) = LfwSample.PairLines("pairsDevTrain.txt", 1, 1);
        var (testSame, testDifferent) = LfwSample.PairLines("pairsDevTest.txt", 1, 1);
        string images = Path.Combine(_dir.Path, "lfw");
        foreach (var (name, index) in trainSame.Concat(trainDifferent).Concat(testSame).Concat(testDifferent).SelectMany(LfwSample.Images).Distinct())
            LfwSample.Copy(images, name, index);
        string train = _dir.Write("train.txt", System.Text.Encoding.ASCII.GetBytes(string.Join("\n", ["1", .. trainSame, .. trainDifferent])));
        string test = _dir.Write("test.txt", System.Text.Encoding.ASCII.GetBytes(string.Join("\n", ["1", .. testSame, .. testDifferent])));
        int before = cli.Requested.Count;

        var r = cli.Run("evaluate", "--pairs", test, "--train-pairs", train, "--images", images, "--flip", "--align", "landmarks", "--detector", "tiny", "--json");

        Assert.True(r.ExitCode == 0, r.Stderr);
        FaceAnalyzerOptions asked = Assert.Single(cli.Requested.Skip(before));
        Assert.Equal((true, FaceAlignment.Landmarks, FaceDetectorKind.Tiny), (asked.Flip, asked.Alignment, asked.Detector));
        JsonElement json = r.Json();
        Assert.EndsWith("/aligned+flip", json.GetProperty("model").GetString());
        Assert.Equal("threshold chosen for best accuracy on train.txt, accuracy on test.txt", json.GetProperty("protocol").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("accuracy_std").ValueKind);
        Assert.Equal(2, json.GetProperty("pairs").GetInt32());
    }

    [Fact]
    public void CentredSkipsTheDetectorAndEncodesTheLandmarksOfTheCentreBox()
    {
        var (sameLines, differentLines) = LfwSample.PairLines("pairsDevTest.txt", 3, 3);
        string images = Path.Combine(_dir.Path, "lfw");
        var distinct = sameLines.Concat(differentLines).SelectMany(LfwSample.Images).Distinct().ToList();
        foreach (var (name, index) in distinct) LfwSample.Copy(images, name, index);
        string pairs = _dir.Write("centred.txt", System.Text.Encoding.ASCII.GetBytes(string.Join("\n", ["3", .. sameLines, .. differentLines]) + "\n"));

        var r = cli.Run("evaluate", "--pairs", pairs, "--images", images, "--centred", "--per-pair", "--json");

        Assert.True(r.ExitCode == 0, r.Stderr);
        JsonElement json = r.Json();
        // No image went through the detector: every one is reported as using the centre box.
        Assert.Equal(distinct.Count, json.GetProperty("undetected").GetInt32());
        Assert.All(json.GetProperty("images").EnumerateArray(), i => Assert.False(i.GetProperty("detected").GetBoolean()));
        // Each distance is the one of the landmarks found in the centred half-size box, computed with the public API.
        FaceAnalyzer analyzer = cli.Analyzer();
        float[] Centred(string path)
        {
            RgbImage image = ImageDecoder.Load(path);
            DetectedFace face = analyzer.FaceIn(image, new FaceBox(image.Width / 4f, image.Height / 4f, image.Width / 2f, image.Height / 2f))!;
            return analyzer.Encode(image, [face])[0];
        }
        foreach (JsonElement p in json.GetProperty("per_pair").EnumerateArray())
            Assert.Equal(FaceAnalyzer.Distance(Centred(p.GetProperty("a").GetString()!), Centred(p.GetProperty("b").GetString()!)), p.GetProperty("distance").GetDouble(), 1e-5);
    }

    [Fact]
    public void OpenSetReportsRankOneDirAndFalseAlarmsWithUnknownProbes()
    {
        // Three enrolled people (image 1 in the gallery, image 2 as probe) and two people only among the probes.
        string[] people = File.ReadLines(Path.Combine(LfwSample.Root, "peopleDevTrain.txt")).Skip(1)
            .Select(l => l.Split('\t')).Where(f => int.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture) >= 2).Select(f => f[0]).Take(5).ToArray();
        string galleryDir = Path.Combine(_dir.Path, "gallery"), probeDir = Path.Combine(_dir.Path, "probes");
        var enrolled = people.Take(3).ToArray();
        var gallery = enrolled.Select(p => (p, Path: LfwSample.Copy(galleryDir, p, 1))).ToList();
        var probes = people.Select(p => (p, Path: LfwSample.Copy(probeDir, p, enrolled.Contains(p) ? 2 : 1))).ToList();
        const double threshold = 0.55;

        var r = cli.Run("evaluate", "--open-set", "--gallery-dir", galleryDir, "--probe-dir", probeDir,
            "--threshold", threshold.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");

        Assert.True(r.ExitCode == 0, r.Stderr);
        // By hand from encodings through the analyzer's API: nearest enrolled person per probe.
        FaceAnalyzer analyzer = cli.Analyzer();
        var g = gallery.Select(x => (x.p, LfwSample.Encode(analyzer, x.Path))).ToList();
        var known = new List<(bool Correct, double Distance)>();
        var unknown = new List<double>();
        int undetected = g.Count(x => !x.Item2.Detected);
        foreach (var (person, path) in probes)
        {
            var (encoding, detected) = LfwSample.Encode(analyzer, path);
            if (!detected) undetected++;
            var nearest = g.MinBy(x => FaceAnalyzer.Distance(encoding, x.Item2.Encoding));
            double distance = FaceAnalyzer.Distance(encoding, nearest.Item2.Encoding);
            if (enrolled.Contains(person)) known.Add((nearest.p == person, distance));
            else unknown.Add(distance);
        }
        JsonElement json = r.Json();
        Assert.Equal((5, 3, 2, 3, 3), (json.GetProperty("probes").GetInt32(), json.GetProperty("known_probes").GetInt32(),
            json.GetProperty("unknown_probes").GetInt32(), json.GetProperty("gallery_identities").GetInt32(), json.GetProperty("gallery_images").GetInt32()));
        Assert.Equal(known.Count(k => k.Correct) / 3.0, json.GetProperty("rank1").GetDouble(), 12);
        Assert.Equal(threshold, json.GetProperty("threshold").GetDouble());
        Assert.Equal(known.Count(k => k.Correct && k.Distance < threshold) / 3.0, json.GetProperty("dir").GetDouble(), 12);
        Assert.Equal(unknown.Count(u => u < threshold) / 2.0, json.GetProperty("false_alarm_rate").GetDouble(), 12);
        Assert.Equal(known.Count(k => !k.Correct && k.Distance < threshold), json.GetProperty("misidentified").GetInt32());
        Assert.Equal(undetected, json.GetProperty("undetected").GetInt32());
        // Two unknown probes cannot measure a false-alarm rate of 1e-2: null with the reason.
        Assert.Equal(JsonValueKind.Null, json.GetProperty("dir_at_far").GetProperty("0.01").ValueKind);
        Assert.Contains(json.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("needs at least 100 unknown probes"));
    }

    [Fact]
    public void AMalformedPairFileExitsThreeNamingTheFileAndTheLine()
    {
        string pairs = _dir.Write("bad.txt", "2\nAl_Pacino\t1\t2\nAl_Pacino\tone\t3\nA\t1\tB\t1\nC\t1\tD\t1\n"u8.ToArray());
        var r = cli.Run("evaluate", "--pairs", pairs, "--images", _dir.Path, "--json");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains($"{pairs}: line 3: expected an image number (a positive integer), got 'one'", r.Stderr);
        Assert.Equal(pairs, r.Json().GetProperty("error").GetProperty("path").GetString());
    }

    [Fact]
    public void CtrlCStopsTheEncodingAndExits130()
    {
        var (sameLines, differentLines) = LfwSample.PairLines("pairsDevTest.txt", 1, 1);
        string images = Path.Combine(_dir.Path, "lfw");
        foreach (var (name, index) in sameLines.Concat(differentLines).SelectMany(LfwSample.Images)) LfwSample.Copy(images, name, index);
        string pairs = _dir.Write("pairs.txt", System.Text.Encoding.ASCII.GetBytes(string.Join("\n", ["1", .. sameLines, .. differentLines])));
        cli.Analyzer(); // loaded before the "Ctrl-C"
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        var r = cli.Run(cts.Token, "evaluate", "--pairs", pairs, "--images", images, "--json");

        Assert.Equal(130, r.ExitCode);
        Assert.Equal("canceled", r.Json().GetProperty("error").GetProperty("kind").GetString());
    }

    [Theory]
    [InlineData("--open-set", "--gallery-dir", "g")]
    [InlineData("--pairs", "p.txt")]
    [InlineData("--pairs", "p.txt", "--images", "i", "--align", "dlib")]
    public void IncompleteOrWrongOptionsAreUsageErrors(params string[] args)
    {
        var r = cli.Run(["evaluate", .. args]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("Run 'convolve faces evaluate --help' for usage.", r.Stderr);
    }

    /// <summary>Best accuracy over every threshold (each distance and just above the largest), by brute force.</summary>
    private static double BestAccuracy(List<(bool Same, double Distance, int Fold)> pairs) =>
        Candidates(pairs).Max(t => pairs.Count(p => (p.Distance < t) == p.Same)) / (double)pairs.Count;

    /// <summary>The best-accuracy threshold, as the protocol picks it: the midpoint of the smallest best split.</summary>
    private static double BestThreshold(List<(bool Same, double Distance, int Fold)> pairs)
    {
        var sorted = pairs.Select(p => p.Distance).Distinct().Order().ToList();
        var candidates = new List<double> { sorted[0] };
        for (int i = 0; i < sorted.Count; i++) candidates.Add(i + 1 < sorted.Count ? (sorted[i] + sorted[i + 1]) / 2 : Math.BitIncrement(sorted[i]));
        int best = candidates.Max(t => pairs.Count(p => (p.Distance < t) == p.Same));
        return candidates.First(t => pairs.Count(p => (p.Distance < t) == p.Same) == best);
    }

    private static IEnumerable<double> Candidates(List<(bool Same, double Distance, int Fold)> pairs) =>
        pairs.Select(p => p.Distance).Append(Math.BitIncrement(pairs.Max(p => p.Distance)));
}
