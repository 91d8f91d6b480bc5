using Convolve.Faces.Gallery;

namespace Convolve.Tests.Faces.Gallery;

public class GalleryJsonTests : GalleryTestFiles
{
    private string ExportPath => Path.Combine(Dir, "gallery.json");

    [Fact]
    public void Export_then_import_reproduces_every_face_and_the_calibration()
    {
        var random = new Random(11);
        var calibration = new CalibratedThreshold(0.5, 0.01, 0.008, 0.97, 100, 1000, "mine.txt", DateTimeOffset.UnixEpoch);
        IReadOnlyList<GalleryEntry> original;
        using (var source = FaceGallery.OpenOrCreate(GalleryPath, Model))
        {
            source.Enroll([new("Ada", RandomEncoding(random), "a1.jpg"), new("Ada", RandomEncoding(random)), new("Bob", RandomEncoding(random), "b.jpg")]);
            source.SetCalibratedThreshold(calibration);
            source.Export(ExportPath);
            original = source.Entries();
        }

        using var copy = FaceGallery.OpenOrCreate(Path.Combine(Dir, "copy.db"), Model);
        Assert.Equal(3, copy.Import(ExportPath));
        IReadOnlyList<GalleryEntry> imported = copy.Entries();
        Assert.Equal(original.Select(e => (e.Identity, e.SourceFile, e.EnrolledAt)), imported.Select(e => (e.Identity, e.SourceFile, e.EnrolledAt)));
        for (int i = 0; i < original.Count; i++) Assert.Equal(original[i].Encoding, imported[i].Encoding); // bit-exact floats
        Assert.Equal(calibration, copy.CalibratedThreshold);

        Assert.Equal(0, copy.Import(ExportPath)); // importing again adds nothing
        Assert.Equal(3, copy.FaceCount);
    }

    [Fact]
    public void Import_refuses_another_models_encodings_and_changes_nothing()
    {
        using (var other = FaceGallery.OpenOrCreate(Path.Combine(Dir, "other.db"), "other-model"))
        {
            other.Enroll("Ada", Vec((0, 1)));
            other.Export(ExportPath);
        }
        using var gallery = FaceGallery.OpenOrCreate(GalleryPath, Model);
        var e = Assert.Throws<InvalidInputException>(() => gallery.Import(ExportPath));
        Assert.Equal(ExportPath, e.Path);
        Assert.Contains("other-model", e.Message);
        Assert.Equal(0, gallery.FaceCount);
    }

    [Theory]
    [InlineData("{ \"format\": \"convolve-gallery\", \"version\": 1, \"model_id\": ", "not a valid gallery export")]
    [InlineData("{ \"format\": \"something-else\", \"version\": 1, \"model_id\": \"m\", \"dimension\": 128, \"faces\": [] }", "not a Convolve gallery export")]
    [InlineData("{ \"format\": \"convolve-gallery\", \"version\": 1, \"model_id\": \"test-model@1\", \"dimension\": 128, \"calibration\": null, \"faces\": [ { \"identity\": \"Ada\", \"source_file\": null, \"enrolled_at\": \"2026-01-01T00:00:00Z\", \"encoding\": [1, 2] } ] }", "face 1 ('Ada') has an invalid encoding")]
    public void Malformed_exports_are_reported_with_the_file_name(string json, string problem)
    {
        File.WriteAllText(ExportPath, json);
        using var gallery = FaceGallery.OpenOrCreate(GalleryPath, Model);
        gallery.Enroll("Bob", Vec((1, 1)));
        var e = Assert.Throws<InvalidInputException>(() => gallery.Import(ExportPath));
        Assert.Equal(ExportPath, e.Path);
        Assert.Contains(problem, e.Message);
        Assert.Equal(1, gallery.FaceCount);
    }
}
