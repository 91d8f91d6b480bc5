using System.Text.Json;
using Convolve.Faces;
using Convolve.Faces.Gallery;
using Convolve.Imaging;
using Convolve.Tests.Faces;
using Convolve.Tests.Imaging;
using Microsoft.Data.Sqlite;
using static Convolve.Tests.Cli.FacesTestData;

namespace Convolve.Tests.Cli;

/// <summary>
/// Bad input to the face commands (issue 3 item 8): each is a clear error naming the file and the problem, exit 3,
/// and a gallery is never changed by a failed command.
/// </summary>
public sealed class FacesBadInputTests(FaceAnalyzerFixture fixture) : IClassFixture<FaceAnalyzerFixture>, IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static CliOutcome Faces(params string[] args) => CliRunner.Run(["faces", .. args, "--models", ModelDir]);

    private string Blank() => Save(FacesTestData.Blank(), Path.Combine(_dir.Path, "blank.png"));

    [Fact]
    public void MissingFileIsReportedAndTheBatchGoesOn()
    {
        string missing = Path.Combine(_dir.Path, "nobody.jpg");
        var r = Faces("detect", missing, Blank(), "--json");
        Assert.Equal(3, r.ExitCode);
        var json = r.Json();
        Assert.Equal(missing, json.GetProperty("failed")[0].GetProperty("path").GetString());
        Assert.Contains("not found", json.GetProperty("failed")[0].GetProperty("error").GetString());
        Assert.Equal(1, json.GetProperty("summary").GetProperty("done").GetInt32());
        Assert.Equal(0, json.GetProperty("images")[0].GetProperty("faces").GetArrayLength()); // the blank image: done, no face

        var verify = Faces("verify", missing, Blank());
        Assert.Equal(3, verify.ExitCode);
        Assert.Contains($"error: {missing}", verify.Stderr);
    }

    [Fact]
    public void NotAnImageIsRefusedNamingTheFile()
    {
        string text = _dir.Write("notes.jpg", "hello, I am text"u8.ToArray());
        var r = Faces("verify", text, Blank(), "--json");
        Assert.Equal(3, r.ExitCode);
        var error = r.Json().GetProperty("error");
        Assert.Equal(text, error.GetProperty("path").GetString());
        Assert.Contains("not a recognized image format", error.GetProperty("message").GetString());
    }

    [Fact]
    public void TruncatedImageIsRefused()
    {
        byte[] jpeg = File.ReadAllBytes(Sample(1));
        string cut = _dir.Write("cut.jpg", jpeg[..(jpeg.Length / 3)]);
        var r = Faces("detect", cut);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains($"skipped {cut}: the file is truncated", r.Stderr);
    }

    [Fact]
    public void VerifySaysWhichImageHasNoFace()
    {
        string blank = Blank();
        var r = Faces("verify", Sample(2), blank, "--face", "0", "--json");
        Assert.Equal(3, r.ExitCode);
        var error = r.Json().GetProperty("error");
        Assert.Equal(blank, error.GetProperty("path").GetString());
        Assert.Contains("no face found", error.GetProperty("message").GetString());
        var human = Faces("verify", blank, Sample(2));
        Assert.Equal(3, human.ExitCode);
        Assert.Contains($"error: {blank}: no face found", human.Stderr);
    }

    [Fact]
    public void FaceTooSmallForTheDetectorIsNoFaceWithAHint()
    {
        // sample2 at 1/12 scale in the corner of a grey 1920×1367 canvas: faces of about 10 px in a 1920-px photo,
        // under the ~1/25 of the longer side that SSD resolves.
        var small = Scale(ImageDecoder.Load(Sample(2)), down: 12);
        var canvas = FacesTestData.Blank(1920, 1367);
        for (int y = 0; y < small.Height; y++)
            Array.Copy(small.Pixels, y * small.Width * 3, canvas.Pixels, y * canvas.Width * 3, small.Width * 3);
        string path = Save(canvas, Path.Combine(_dir.Path, "small.png"));
        var detect = Faces("detect", path, "--json");
        Assert.Equal(0, detect.ExitCode); // detect answers: no faces
        Assert.Equal(0, detect.Json().GetProperty("images")[0].GetProperty("faces").GetArrayLength());
        var enroll = Faces("enroll", "Tiny", path, "--gallery", Path.Combine(_dir.Path, "g.db"));
        Assert.Equal(3, enroll.ExitCode);
        Assert.Contains($"skipped {path}: no face found (faces smaller than", enroll.Stderr);
    }

    [Fact]
    public void HugeImageIsDetectedOnADownscaledCopyWithCropsFromTheOriginal()
    {
        // sample1 ×3 = 5760×3840 (22 megapixels). Detection sees a 512-px copy; boxes and landmarks are in the
        // original's pixels, and the encoding is cut from the original, so it matches the 1920-px photo's.
        var original = ImageDecoder.Load(Sample(1));
        string huge = Save(Scale(original, up: 3), Path.Combine(_dir.Path, "huge.jpg"));
        var r = Faces("detect", huge, "--json");
        Assert.Equal(0, r.ExitCode);
        var image = r.Json().GetProperty("images")[0];
        Assert.Equal((5760, 3840), (image.GetProperty("width").GetInt32(), image.GetProperty("height").GetInt32()));
        var reference = Reference(1);
        var faces = image.GetProperty("faces").EnumerateArray().Select(f => BoxOf(f.GetProperty("box"))).ToList();
        Assert.Equal(reference.Count, faces.Count);
        foreach (var face in reference)
        {
            var scaled = new FaceBox(face.Box.X * 3, face.Box.Y * 3, face.Box.Width * 3, face.Box.Height * 3);
            Assert.Contains(faces, f => f.IoU(scaled) > 0.85);
        }
        var verify = Faces("verify", huge, Sample(1), "--json").Json();
        Assert.True(verify.GetProperty("distance").GetDouble() < 0.15, verify.ToString());
    }

    [Fact]
    public void MissingGalleryIsAnErrorAndIsNotCreated()
    {
        string gallery = Path.Combine(_dir.Path, "none.db");
        var r = Faces("identify", Sample(3), "--gallery", gallery, "--json");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("gallery file not found", r.Json().GetProperty("error").GetProperty("message").GetString());
        Assert.False(File.Exists(gallery));
        Assert.Equal(3, Faces("gallery", "list", "--gallery", gallery).ExitCode);
        Assert.False(File.Exists(gallery));
    }

    [Fact]
    public void CorruptGalleryIsReportedAndLeftUntouched()
    {
        byte[] junk = new byte[8192];
        new Random(3).NextBytes(junk);
        string gallery = _dir.Write("corrupt.db", junk);
        var r = Faces("enroll", "Ann", Sample(3), "--face", "0", "--gallery", gallery);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains($"error: {gallery}: the gallery file is corrupt", r.Stderr);
        Assert.Equal(junk, File.ReadAllBytes(gallery));
        Assert.Equal(3, Faces("gallery", "list", "--gallery", gallery).ExitCode);
        Assert.Equal(junk, File.ReadAllBytes(gallery));
    }

    [Fact]
    public void GalleryOfAnotherModelIsRefusedAndLeftUntouched()
    {
        string gallery = Path.Combine(_dir.Path, "other.db");
        using (var g = FaceGallery.OpenOrCreate(gallery, "some-other-model")) g.Enroll("Zed", new float[128]);
        byte[] before = File.ReadAllBytes(gallery);
        var r = Faces("enroll", "Ann", Sample(3), "--face", "0", "--gallery", gallery);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("holds encodings of model 'some-other-model'", r.Stderr);
        Assert.Equal(before, File.ReadAllBytes(gallery));

        // The same encodings with another alignment are another model too: mixing is refused.
        string ours = Path.Combine(_dir.Path, "ours.db");
        Assert.Equal(0, Faces("enroll", "Ann", Sample(3), "--face", "0", "--gallery", ours).ExitCode);
        var mixed = Faces("identify", Sample(3), "--align", "faceapi", "--gallery", ours);
        Assert.Equal(3, mixed.ExitCode);
        Assert.Contains("encodings of different models cannot be compared", mixed.Stderr);
        Assert.Contains("(it was made with --align landmarks, in the library Alignment = Landmarks, Flip = false: use the same settings to read it)", mixed.Stderr);
        var flipped = Faces("identify", Sample(3), "--flip", "--gallery", ours);
        Assert.Equal(3, flipped.ExitCode);
        Assert.Contains("it was made with --align landmarks,", flipped.Stderr);
    }

    [Fact]
    public void LockedGalleryIsReportedAndNotChanged()
    {
        string gallery = Path.Combine(_dir.Path, "locked.db");
        var analyzer = fixture.Get();
        using (var g = analyzer.OpenGallery(gallery)) g.Enroll("Zed", new float[128]);
        using (var holder = new SqliteConnection($"Data Source={gallery};Pooling=False"))
        {
            holder.Open();
            using (var begin = holder.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE";
                begin.ExecuteNonQuery();
            }
            var r = Faces("enroll", "Ann", Sample(3), "--face", "0", "--gallery", gallery); // waits the 5 s busy timeout
            Assert.Equal(3, r.ExitCode);
            Assert.Contains("the gallery is locked by another process", r.Stderr);
        }
        using var after = FaceGallery.Open(gallery);
        Assert.Equal(["Zed"], after.ListIdentities().Select(i => i.Identity));
    }

    [Fact]
    public void EnrollingAPhotoWithSeveralFacesNeedsFaceN()
    {
        string gallery = Path.Combine(_dir.Path, "g.db");
        var r = Faces("enroll", "Ann", Sample(1), "--gallery", gallery, "--json");
        Assert.Equal(3, r.ExitCode);
        var failed = r.Json().GetProperty("failed")[0];
        Assert.Equal(Sample(1), failed.GetProperty("path").GetString());
        Assert.Contains("3 faces found; choose one with --face N", failed.GetProperty("error").GetString());

        var noFace = Faces("enroll", "Ann", Blank(), "--gallery", gallery);
        Assert.Equal(3, noFace.ExitCode);
        Assert.Contains("no face found", noFace.Stderr);

        var outOfRange = Faces("enroll", "Ann", Sample(1), "--face", "7", "--gallery", gallery);
        Assert.Equal(3, outOfRange.ExitCode);
        Assert.Contains("face 7 requested but 3 face(s) found", outOfRange.Stderr);

        Assert.Equal(0, Faces("enroll", "Ann", Sample(1), "--face", "2", "--gallery", gallery).ExitCode);
        using var g = FaceGallery.Open(gallery);
        Assert.Equal(1, g.FaceCount);
    }
}
