using Convolve.Faces.Gallery;

namespace Convolve.Tests.Faces.Gallery;

public class FaceGalleryTests : GalleryTestFiles
{
    [Fact]
    public void One_photo_per_person_is_enough_to_recognize_them()
    {
        using var gallery = FaceGallery.OpenOrCreate(GalleryPath, Model);
        gallery.Enroll("Ada", Vec((0, 1)), "ada.jpg");
        gallery.Enroll("Bob", Vec((1, 1)), "bob.jpg");

        IdentityMatch ada = gallery.Identify(Vec((0, 1), (2, 0.3f)), threshold: 0.6);
        Assert.Equal("Ada", ada.Identity);
        Assert.Equal(0.3, ada.Distance!.Value, 1e-6);

        IdentityMatch stranger = gallery.Identify(Vec((5, 1)), threshold: 0.6);
        Assert.False(stranger.IsRecognized);
        Assert.Null(stranger.Identity);
        Assert.Equal(Math.Sqrt(2), stranger.Distance!.Value, 1e-6); // still tells the nearest and how far
    }

    [Fact]
    public void All_faces_of_a_photo_are_identified_in_one_call()
    {
        using var gallery = FaceGallery.OpenOrCreate(GalleryPath, Model);
        gallery.Enroll([new("Ada", Vec((0, 1))), new("Bob", Vec((1, 1)))]);
        IReadOnlyList<IdentityMatch> matches = gallery.IdentifyMany([Vec((1, 1.1f)), Vec((7, 1)), Vec((0, 0.9f))], 0.6);
        Assert.Equal(["Bob", null, "Ada"], matches.Select(m => m.Identity));
        Assert.Equal(0.1, matches[0].Distance!.Value, 1e-6);
    }

    [Fact]
    public void Threshold_is_strict_like_face_api()
    {
        using var gallery = FaceGallery.OpenOrCreate(GalleryPath, Model);
        gallery.Enroll("Ada", Vec());
        IdentityMatch atThreshold = gallery.Identify(Vec((0, 3), (1, 4)), threshold: 5); // distance exactly 5
        Assert.Equal(5, atThreshold.Distance);
        Assert.False(atThreshold.IsRecognized);
        Assert.True(gallery.Identify(Vec((0, 3), (1, 4)), threshold: 5.0001).IsRecognized);
    }

    [Fact]
    public void Nearest_sample_is_the_default_aggregate_and_differs_from_mean_encoding_as_stated()
    {
        // Ada enrolled from two dissimilar photos (+2 and -2 on axis 0); Bob once at 1.5 on axis 1.
        using (var gallery = FaceGallery.OpenOrCreate(GalleryPath, Model))
        {
            Assert.Equal(GalleryAggregate.NearestSample, gallery.Options.Aggregate);
            gallery.Enroll([new("Ada", Vec((0, 2))), new("Ada", Vec((0, -2))), new("Bob", Vec((1, 1.5f)))]);
            // A probe like Ada's first photo: nearest sample says Ada at distance 0.
            IdentityMatch match = gallery.Identify(Vec((0, 2)), 0.6);
            Assert.Equal(("Ada", 0.0), (match.Identity, match.Distance!.Value));
        }
        using (var mean = FaceGallery.Open(GalleryPath, Model, new GalleryOptions { Aggregate = GalleryAggregate.MeanEncoding }))
        {
            // Ada's mean encoding is the origin: distance 2 to the probe; Bob is sqrt(4 + 2.25) = 2.5 away.
            IReadOnlyList<IdentityCandidate> ranked = mean.Rank(Vec((0, 2)));
            Assert.Equal("Ada", ranked[0].Identity);
            Assert.Equal(2.0, ranked[0].Distance, 1e-6);
            Assert.Equal(2.5, ranked[1].Distance, 1e-6);
            Assert.False(mean.Identify(Vec((0, 2)), 0.6).IsRecognized);
        }
    }

    [Fact]
    public void Faces_enrolled_in_any_order_are_grouped_by_identity()
    {
        using (var gallery = FaceGallery.OpenOrCreate(GalleryPath, Model))
        {
            gallery.Enroll([new("Bo", Vec((1, 4))), new("Al", Vec((0, 2))), new("Bo", Vec((1, 2))), new("Cy", Vec((2, 1))), new("Al", Vec((0, 4)))]);
            float[] probe = Vec((0, 3), (1, 3));
            // Nearest samples: Al (0,2)/(0,4) → sqrt(1+9) each; Bo (1,2)/(1,4) → sqrt(9+1); Cy → sqrt(9+9+1).
            IReadOnlyList<IdentityCandidate> ranked = gallery.Rank(probe);
            Assert.Equal(["Al", "Bo", "Cy"], ranked.Select(c => c.Identity)); // Al and Bo tie: name order
            Assert.Equal([Math.Sqrt(10), Math.Sqrt(10), Math.Sqrt(19)], ranked.Select(c => c.Distance), new ToleranceComparer());
        }
        using var mean = FaceGallery.Open(GalleryPath, Model, new GalleryOptions { Aggregate = GalleryAggregate.MeanEncoding });
        // Means: Al (0,3) → distance 3; Bo (1,3) → 3; Cy (2,1) → sqrt(19).
        Assert.Equal(3.0, mean.DistanceTo("Al", Vec((0, 3), (1, 3)))!.Value, 5);
        Assert.Equal(3.0, mean.DistanceTo("Bo", Vec((0, 3), (1, 3)))!.Value, 5);
        Assert.Equal(Math.Sqrt(19), mean.DistanceTo("Cy", Vec((0, 3), (1, 3)))!.Value, 5);
    }

    private sealed class ToleranceComparer : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) < 1e-5;
        public int GetHashCode(double value) => 0;
    }

    [Fact]
    public void Rank_and_distance_to_an_identity()
    {
        using var gallery = FaceGallery.OpenOrCreate(GalleryPath, Model);
        gallery.Enroll([new("A", Vec((0, 1))), new("B", Vec((0, 2))), new("C", Vec((0, 4)))]);
        IReadOnlyList<IdentityCandidate> ranked = gallery.Rank(Vec((0, 2.5f)), top: 2);
        Assert.Equal(["B", "A"], ranked.Select(c => c.Identity));
        Assert.Equal([0.5, 1.5], ranked.Select(c => c.Distance));
        Assert.Equal(1.5, gallery.DistanceTo("C", Vec((0, 2.5f))));
        Assert.Null(gallery.DistanceTo("Nobody", Vec()));
    }

    [Fact]
    public void Entries_survive_reopening_bit_exact()
    {
        var random = new Random(3);
        float[] encoding = RandomEncoding(random);
        GalleryEntry stored;
        using (var gallery = FaceGallery.OpenOrCreate(GalleryPath, Model)) stored = gallery.Enroll("Ada", encoding, "photos/ada 1.jpg");

        using var reopened = FaceGallery.Open(GalleryPath, Model);
        GalleryEntry entry = Assert.Single(reopened.Entries());
        Assert.Equal(stored.Id, entry.Id);
        Assert.Equal(("Ada", "photos/ada 1.jpg", Model, stored.EnrolledAt), (entry.Identity, entry.SourceFile, entry.ModelId, entry.EnrolledAt));
        Assert.Equal(encoding, entry.Encoding);
        Assert.Equal(Model, reopened.ModelId);
        Assert.Equal(128, reopened.Dimension);
    }

    [Fact]
    public void Remove_rename_and_list()
    {
        using var gallery = FaceGallery.OpenOrCreate(GalleryPath, Model);
        var entries = gallery.Enroll([new("Ada", Vec((0, 1))), new("Ada", Vec((0, 2))), new("Bob", Vec((1, 1))), new("Cy", Vec((2, 1)))]);

        Assert.Equal([("Ada", 2), ("Bob", 1), ("Cy", 1)], gallery.ListIdentities().Select(s => (s.Identity, s.Faces)));
        InvalidInputException refused = Assert.Throws<InvalidInputException>(() => gallery.Rename("Bob", "Cy"));
        Assert.Contains("already exists", refused.Message);
        Assert.Equal(1, gallery.Rename("Bob", "Robert"));
        Assert.Equal(1, gallery.Rename("Cy", "Robert", merge: true));
        Assert.Equal([("Ada", 2), ("Robert", 2)], gallery.ListIdentities().Select(s => (s.Identity, s.Faces)));
        Assert.True(gallery.RemoveEntry(entries[0].Id));
        Assert.False(gallery.RemoveEntry(entries[0].Id));
        Assert.Equal(2, gallery.Remove("Robert"));
        Assert.Equal(0, gallery.Remove("Robert"));
        // The in-memory index follows every change.
        Assert.Equal(("Ada", 0.0), (gallery.Identify(Vec((0, 2)), 0.5).Identity, gallery.Identify(Vec((0, 2)), 0.5).Distance!.Value));
        Assert.Equal(1, gallery.FaceCount);
    }

    [Fact]
    public void Bad_enrollments_are_refused()
    {
        using var gallery = FaceGallery.OpenOrCreate(GalleryPath, Model);
        Assert.Throws<ArgumentException>(() => gallery.Enroll("Ada", new float[127]));
        Assert.Throws<ArgumentException>(() => gallery.Enroll("Ada", Vec((3, float.NaN))));
        Assert.Throws<ArgumentException>(() => gallery.Enroll("  ", Vec()));
        Assert.Throws<ArgumentException>(() => gallery.Enroll("A\nB", Vec()));
        Assert.Throws<ArgumentException>(() => gallery.Identify(new float[64], 0.5));
        Assert.Equal(0, gallery.FaceCount);
    }

    [Fact]
    public void An_empty_gallery_recognizes_nobody()
    {
        using var gallery = FaceGallery.OpenOrCreate(GalleryPath, Model);
        IdentityMatch match = gallery.Identify(Vec(), 0.5);
        Assert.Equal((null, null, false), (match.NearestIdentity, match.Distance, match.IsRecognized));
    }

    [Fact]
    public void Calibrated_threshold_is_stored_with_its_metadata()
    {
        var calibration = new CalibratedThreshold(0.47, 0.001, 0.0008, 0.93, 3000, 3000, "pairs.txt", new DateTimeOffset(2026, 11, 30, 3, 0, 0, TimeSpan.Zero));
        using (var gallery = FaceGallery.OpenOrCreate(GalleryPath, Model))
        {
            Assert.Null(gallery.CalibratedThreshold);
            Assert.Equal(0.6, gallery.ThresholdOr(0.6));
            gallery.SetCalibratedThreshold(calibration);
        }
        using (var gallery = FaceGallery.Open(GalleryPath))
        {
            Assert.Equal(calibration, gallery.CalibratedThreshold);
            Assert.Equal(0.47, gallery.ThresholdOr(0.6));
            Assert.True(gallery.ClearCalibratedThreshold());
            Assert.Null(gallery.CalibratedThreshold);
        }
    }

    [Fact]
    public void Logging_an_entry_never_shows_its_encoding()
    {
        var entry = new GalleryEntry(1, "Ada", "a.jpg", Vec((0, 0.123456f)), Model, DateTimeOffset.UnixEpoch);
        Assert.DoesNotContain("0.123", entry.ToString());
        Assert.DoesNotContain("0.123", new FaceSample("Ada", Vec((0, 0.123456f))).ToString());
    }
}
