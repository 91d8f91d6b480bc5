using Convolve.Faces.Gallery;
using Microsoft.Data.Sqlite;

namespace Convolve.Tests.Faces.Gallery;

/// <summary>Gallery files missing, locked, corrupt, foreign or from another model: clear errors, never overwritten.</summary>
public class GalleryFileSafetyTests : GalleryTestFiles
{
    [Fact]
    public void Missing_file_is_reported_and_not_created()
    {
        var e = Assert.Throws<InvalidInputException>(() => FaceGallery.Open(GalleryPath, Model));
        Assert.Equal(GalleryPath, e.Path);
        Assert.Contains("not found", e.Message);
        Assert.False(File.Exists(GalleryPath));
    }

    [Theory]
    [InlineData("this is not a database, just text that someone named people.db\n")]
    [InlineData("SQLite format 3\0 but truncated right after the magic")]
    public void Corrupt_file_is_reported_and_left_untouched(string content)
    {
        File.WriteAllText(GalleryPath, content);
        string before = Sha256(GalleryPath);

        var open = Assert.Throws<InvalidInputException>(() => FaceGallery.Open(GalleryPath, Model));
        var create = Assert.Throws<InvalidInputException>(() => FaceGallery.OpenOrCreate(GalleryPath, Model));

        Assert.Contains("corrupt", open.Message);
        Assert.Contains(GalleryPath, create.Message);
        Assert.Equal(before, Sha256(GalleryPath));
    }

    [Fact]
    public void A_gallery_cut_in_half_is_reported_as_corrupt()
    {
        using (var gallery = FaceGallery.OpenOrCreate(GalleryPath, Model))
            gallery.Enroll(Enumerable.Range(0, 200).Select(i => new FaceSample($"P{i}", RandomEncoding(new Random(i)))));
        byte[] bytes = File.ReadAllBytes(GalleryPath);
        Assert.True(bytes.Length > 8192, "the checkpointed gallery should span several pages");
        File.WriteAllBytes(GalleryPath, bytes[..(bytes.Length / 2)]);
        string before = Sha256(GalleryPath);

        var e = Assert.Throws<InvalidInputException>(() =>
        {
            using var gallery = FaceGallery.Open(GalleryPath, Model);
            gallery.Identify(Vec(), 0.5); // loading the encodings reads the missing pages
        });
        Assert.Contains("corrupt", e.Message);
        Assert.Equal(before, Sha256(GalleryPath));
    }

    [Fact]
    public void Another_applications_database_is_not_taken_over()
    {
        using (var other = new SqliteConnection($"Data Source={GalleryPath};Pooling=False"))
        {
            other.Open();
            using var command = other.CreateCommand();
            command.CommandText = "CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL); INSERT INTO invoices VALUES (1, 9.5);";
            command.ExecuteNonQuery();
        }
        string before = Sha256(GalleryPath);

        var e = Assert.Throws<InvalidInputException>(() => FaceGallery.OpenOrCreate(GalleryPath, Model));
        Assert.Contains("not a Convolve gallery", e.Message);
        Assert.Equal(before, Sha256(GalleryPath));
        Assert.False(File.Exists(GalleryPath + "-wal"));
    }

    [Fact]
    public void Encodings_of_another_model_are_refused()
    {
        using (var gallery = FaceGallery.OpenOrCreate(GalleryPath, "face-api-crop")) gallery.Enroll("Ada", Vec((0, 1)));
        string before = Sha256(GalleryPath);

        var e = Assert.Throws<InvalidInputException>(() => FaceGallery.OpenOrCreate(GalleryPath, "landmark-aligned"));
        Assert.Contains("'face-api-crop'", e.Message);
        Assert.Contains("'landmark-aligned'", e.Message);
        Assert.Equal(before, Sha256(GalleryPath));
        // Management without a model still works.
        using var any = FaceGallery.Open(GalleryPath);
        Assert.Equal("face-api-crop", any.ModelId);
    }

    [Fact]
    public void A_locked_gallery_fails_clearly_after_the_busy_timeout_and_works_once_released()
    {
        using (var gallery = FaceGallery.OpenOrCreate(GalleryPath, Model)) gallery.Enroll("Ada", Vec((0, 1)));
        using var other = new SqliteConnection($"Data Source={GalleryPath};Pooling=False");
        other.Open();
        using var holder = other.BeginTransaction(deferred: false); // another process holds the write lock
        using (var insert = other.CreateCommand())
        {
            insert.Transaction = holder;
            insert.CommandText = "UPDATE meta SET value = value WHERE key = 'model_id'";
            insert.ExecuteNonQuery();
        }

        using var mine = FaceGallery.Open(GalleryPath, Model, new GalleryOptions { BusyTimeout = TimeSpan.FromMilliseconds(300) });
        Assert.Equal("Ada", mine.Identify(Vec((0, 1)), 0.5).Identity); // WAL: readers are not blocked by the writer
        var e = Assert.Throws<InvalidInputException>(() => mine.Enroll("Bob", Vec((1, 1))));
        Assert.Contains("locked", e.Message);

        holder.Rollback();
        mine.Enroll("Bob", Vec((1, 1)));
        Assert.Equal(2, mine.FaceCount);
    }

    [Fact]
    public void A_failure_mid_enrollment_leaves_the_gallery_as_it_was()
    {
        using var gallery = FaceGallery.OpenOrCreate(GalleryPath, Model);
        gallery.Enroll("Ada", Vec((0, 1)));

        // The encoder dies on the third photo of a batch: the two already inserted are rolled back.
        IEnumerable<FaceSample> Batch()
        {
            yield return new FaceSample("Bob", Vec((1, 1)), "bob1.jpg");
            yield return new FaceSample("Bob", Vec((1, 2)), "bob2.jpg");
            throw new IOException("bob3.jpg: disk read error");
        }
        Assert.Throws<IOException>(() => gallery.Enroll(Batch()));
        Assert.Throws<ArgumentException>(() => gallery.Enroll([new("Cy", Vec((2, 1))), new("Cy", Vec((2, float.NaN)))]));

        Assert.Equal(["Ada"], gallery.ListIdentities().Select(i => i.Identity));
        using var fresh = FaceGallery.Open(GalleryPath, Model);
        Assert.Equal(1, fresh.FaceCount);
        Assert.Equal("Ada", fresh.Identify(Vec((1, 1)), 10).Identity);
    }

    [Fact]
    public void Gallery_and_its_side_files_are_readable_by_their_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix file modes only");
            return;
        }
        using var gallery = FaceGallery.OpenOrCreate(GalleryPath, Model);
        gallery.Enroll("Ada", Vec((0, 1))); // creates the -wal file
        string export = Path.Combine(Dir, "export.json");
        gallery.Export(export);

        foreach (string file in new[] { GalleryPath, GalleryPath + "-wal", GalleryPath + "-shm", export })
        {
            Assert.True(File.Exists(file), file);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public void Concurrent_writers_in_several_connections_lose_nothing_and_readers_see_their_changes()
    {
        using var reader = FaceGallery.OpenOrCreate(GalleryPath, Model);
        Assert.Null(reader.Identify(Vec(), 1).NearestIdentity); // loads the (empty) index once
        using var a = FaceGallery.Open(GalleryPath, Model);
        using var b = FaceGallery.Open(GalleryPath, Model);

        // Two connections (as two processes would), each used by two threads at once.
        Parallel.For(0, 4, worker =>
        {
            FaceGallery gallery = worker % 2 == 0 ? a : b;
            var random = new Random(worker);
            for (int i = 0; i < 25; i++) gallery.Enroll($"W{worker}-{i}", RandomEncoding(random));
        });

        Assert.Equal(100, reader.FaceCount);
        float[] probe = a.Entries("W3-7")[0].Encoding;
        Assert.Equal(("W3-7", 0.0), (reader.Identify(probe, 0.1).Identity, reader.Identify(probe, 0.1).Distance!.Value));
    }
}
