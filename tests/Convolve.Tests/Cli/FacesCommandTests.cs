using System.Text.Json;
using Convolve.Faces;
using Convolve.Faces.Gallery;
using Convolve.Imaging;
using Convolve.Tests.Faces;
using Convolve.Tests.Imaging;
using static Convolve.Tests.Cli.FacesTestData;

namespace Convolve.Tests.Cli;

/// <summary>
/// <c>convolve faces detect|verify|enroll|identify|gallery</c> run in-process on face-api's sample photos, checked
/// against face-api's own outputs (tests/reference/fixtures) and against the library called directly.
/// </summary>
public sealed class FacesCommandTests(FaceAnalyzerFixture fixture) : IClassFixture<FaceAnalyzerFixture>, IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static CliOutcome Faces(params string[] args) => CliRunner.Run(["faces", .. args, "--models", ModelDir]);

    [Fact]
    public void DetectMatchesFaceApiBoxesAndLandmarksAndAnnotates()
    {
        string sample = Sample(1);
        string annotated = Path.Combine(_dir.Path, "out");
        var r = Faces("detect", sample, "--annotate", annotated, "--json");
        Assert.Equal(0, r.ExitCode);
        var image = r.Json().GetProperty("images")[0];
        Assert.Equal(sample, image.GetProperty("file").GetString());
        Assert.Equal((1920, 1280), (image.GetProperty("width").GetInt32(), image.GetProperty("height").GetInt32()));

        var reference = Reference(1);
        var faces = image.GetProperty("faces").EnumerateArray().ToList();
        Assert.Equal(reference.Count, faces.Count);
        for (int i = 0; i < faces.Count; i++)
        {
            var box = BoxOf(faces[i].GetProperty("box"));
            Assert.True(box.IoU(reference[i].Box) > 0.999, $"face {i}: box {box} vs face-api {reference[i].Box}");
            var points = faces[i].GetProperty("landmarks").EnumerateArray().ToList();
            Assert.Equal(68, points.Count);
            for (int p = 0; p < 68; p++)
            {
                Assert.Equal(reference[i].Landmarks[p].X, points[p][0].GetSingle(), 0.01);
                Assert.Equal(reference[i].Landmarks[p].Y, points[p][1].GetSingle(), 0.01);
            }
            Assert.InRange(faces[i].GetProperty("score").GetSingle(), 0.5f, 1f);
        }

        // The annotated PNG has the photo's size and differs from it (boxes and dots were drawn).
        string png = image.GetProperty("annotated").GetString()!;
        Assert.Equal(Path.Combine(annotated, "sample1.png"), png);
        var drawn = ImageDecoder.Load(png);
        var original = ImageDecoder.Load(sample);
        Assert.Equal((original.Width, original.Height), (drawn.Width, drawn.Height));
        var b = reference[0].Box;
        int x = (int)b.X + 1, y = (int)(b.Y + b.Height / 2); // on the box's left edge
        Assert.Equal(FaceAnnotation.DetectedColor, new RgbColor(drawn.Pixels[(y * drawn.Width + x) * 3], drawn.Pixels[(y * drawn.Width + x) * 3 + 1], drawn.Pixels[(y * drawn.Width + x) * 3 + 2]));
    }

    [Fact]
    public void DetectorTinyGivesFaceApisTinyBoxes()
    {
        string json = Path.Combine(SharedData.RepoRoot, "tests", "reference", "fixtures", "sample1.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var reference = doc.RootElement.GetProperty("tiny_416").GetProperty("detections").EnumerateArray()
            .Select(d => BoxOf(d.GetProperty("box"))).ToList();
        var r = Faces("detect", Sample(1), "--detector", "tiny", "--json");
        Assert.Equal(0, r.ExitCode);
        var boxes = r.Json().GetProperty("images")[0].GetProperty("faces").EnumerateArray().Select(f => BoxOf(f.GetProperty("box"))).ToList();
        Assert.Equal(reference.Count, boxes.Count);
        for (int i = 0; i < boxes.Count; i++) Assert.True(boxes[i].IoU(reference[i]) > 0.999, $"face {i}: {boxes[i]} vs face-api {reference[i]}");
        Assert.Equal(2, Faces("detect", Sample(1), "--detector", "yolo").ExitCode);
    }

    [Fact]
    public void DetectHumanOutputListsFacesAndABadFileIsSkippedWithExit3()
    {
        string bad = _dir.Write("bad.jpg", "not an image"u8.ToArray());
        var r = Faces("detect", Sample(2), bad);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains($"{Sample(2)}\t1920x1367\t3 faces", r.Stdout);
        Assert.Contains("  #0\t", r.Stdout);
        Assert.Contains($"skipped {bad}: not a recognized image format", r.Stderr);
        Assert.Contains("2 files: 1 done, 1 failed.", r.Stderr);
    }

    [Fact]
    public void VerifyUsesTheLargestFaceReportsTheChoiceAndAgreesWithTheLibrary()
    {
        var analyzer = fixture.Get();
        string a = Sample(1);
        var original = ImageDecoder.Load(a);
        string b = Save(ImageTransforms.Mirror(original), Path.Combine(_dir.Path, "mirror.png"));

        var r = Faces("verify", a, b, "--json");
        Assert.Equal(0, r.ExitCode);
        var json = r.Json();
        var expected = analyzer.Verify(original, ImageDecoder.Load(b));
        Assert.Equal(expected.Distance, json.GetProperty("distance").GetDouble(), 1e-5);
        Assert.Equal(analyzer.DefaultThreshold, json.GetProperty("threshold").GetDouble());
        Assert.Equal(expected.Same, json.GetProperty("same").GetBoolean());
        Assert.True(expected.Same, "a face and its mirror image are the same person");

        // The largest of the three faces was used, by the detector's numbering, and that is reported.
        var faces = analyzer.Detect(original);
        int largest = Enumerable.Range(0, faces.Count).MaxBy(i => faces[i].Box.Area);
        var first = json.GetProperty("first");
        Assert.Equal(largest, first.GetProperty("face").GetInt32());
        Assert.Equal(3, first.GetProperty("faces").GetInt32());

        // --face picks another face of A: a different person, so a larger distance than with itself mirrored.
        int other = (largest + 1) % 3;
        var picked = Faces("verify", a, b, "--face", other.ToString(), "--json").Json();
        Assert.Equal(other, picked.GetProperty("first").GetProperty("face").GetInt32());
        Assert.Equal(analyzer.Verify(original, ImageDecoder.Load(b), firstFace: other).Distance, picked.GetProperty("distance").GetDouble(), 1e-5);

        var human = Faces("verify", a, b, "--threshold", "0.05");
        Assert.Equal(0, human.ExitCode);
        Assert.StartsWith("different people: distance", human.Stdout);
        Assert.Contains("threshold 0.05", human.Stdout);
        Assert.Contains($"note: {a} holds 3 faces; face #{largest} (the largest) was used", human.Stderr);
        Assert.Contains($"  {a}: face #{largest} of 3, the largest", human.Stdout);
    }

    [Fact]
    public void VerifyNeedsExactlyOneOfImageBAndIdentity()
    {
        Assert.Equal(2, Faces("verify", Sample(1)).ExitCode);
        Assert.Equal(2, Faces("verify", Sample(1), Sample(2), "--identity", "x").ExitCode);
    }

    [Fact]
    public void EnrollIdentifyAndManageTheGallery()
    {
        string gallery = Path.Combine(_dir.Path, "people.db");
        var original = ImageDecoder.Load(Sample(3));
        string mirror = Save(ImageTransforms.Mirror(original), Path.Combine(_dir.Path, "s3-mirror.png"));
        string stranger = Sample(5);

        // One photo each (one-shot): face 0 of sample3 as "Ann".
        var enrolled = Faces("enroll", "Ann", Sample(3), "--face", "0", "--gallery", gallery, "--json");
        Assert.Equal(0, enrolled.ExitCode);
        Assert.Equal(1, enrolled.Json().GetProperty("facesOfIdentity").GetInt32());
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(gallery));

        var r = Faces("identify", mirror, stranger, "--gallery", gallery, "--annotate", Path.Combine(_dir.Path, "ann"), "--json");
        Assert.Equal(0, r.ExitCode);
        var json = r.Json();
        var analyzer = fixture.Get();
        Assert.Equal(analyzer.DefaultThreshold, json.GetProperty("threshold").GetDouble());
        var images = json.GetProperty("images").EnumerateArray().ToList();
        Assert.Equal(2, images.Count);
        Assert.True(File.Exists(images[0].GetProperty("annotated").GetString()));

        // Compare with the library: the same names (null when unknown, written as null) and distances.
        using (var g = FaceGallery.Open(gallery, analyzer.ModelId))
        {
            foreach (var (image, file) in images.Zip(new[] { mirror, stranger }))
            {
                var expected = analyzer.Identify(ImageDecoder.Load(file), g);
                var faces = image.GetProperty("faces").EnumerateArray().ToList();
                Assert.Equal(expected.Count, faces.Count);
                for (int i = 0; i < faces.Count; i++)
                {
                    var name = faces[i].GetProperty("name");
                    Assert.Equal(expected[i].Name, name.ValueKind == JsonValueKind.Null ? null : name.GetString());
                    Assert.Equal(expected[i].Distance!.Value, faces[i].GetProperty("distance").GetDouble(), 1e-5);
                }
            }
        }
        // The mirrored Ann is found: the face whose box is the mirror of the enrolled one.
        var annBox = analyzer.Detect(original)[0].Box;
        var mirrorFaces = images[0].GetProperty("faces").EnumerateArray().ToList();
        var ann = mirrorFaces.Single(f =>
        {
            var box = BoxOf(f.GetProperty("box"));
            return (box with { X = original.Width - box.X - box.Width }).IoU(annBox) > 0.5;
        });
        Assert.Equal("Ann", ann.GetProperty("name").GetString());

        // Gallery management.
        Assert.Equal(0, Faces("enroll", "Bo", Sample(3), "--face", "1", "--gallery", gallery).ExitCode);
        var list = Faces("gallery", "list", "--gallery", gallery, "--json").Json();
        Assert.Equal(["Ann", "Bo"], list.GetProperty("identities").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        Assert.Equal(analyzer.ModelId, list.GetProperty("modelId").GetString());

        Assert.Equal(3, Faces("gallery", "rename", "Ann", "Bo", "--gallery", gallery).ExitCode); // no merge by a typo
        Assert.Equal(0, Faces("gallery", "rename", "Ann", "Cy", "--gallery", gallery).ExitCode);
        string export = Path.Combine(_dir.Path, "export.json");
        Assert.Equal(0, Faces("gallery", "export", export, "--gallery", gallery).ExitCode);
        Assert.Equal(3, Faces("gallery", "export", export, "--gallery", gallery).ExitCode); // never overwritten without --force
        Assert.Equal(0, Faces("gallery", "remove", "Cy", "--gallery", gallery).ExitCode);
        Assert.Equal(3, Faces("gallery", "remove", "Cy", "--gallery", gallery).ExitCode);

        string copy = Path.Combine(_dir.Path, "copy.db");
        var imported = Faces("gallery", "import", export, "--gallery", copy, "--json");
        Assert.Equal(0, imported.ExitCode);
        Assert.Equal(2, imported.Json().GetProperty("added").GetInt32());
        var human = Faces("gallery", "list", "--gallery", copy);
        Assert.Contains("Bo", human.Stdout);
        Assert.Contains("Cy", human.Stdout);
        Assert.Contains("2 people, 2 faces", human.Stdout);
    }
}
