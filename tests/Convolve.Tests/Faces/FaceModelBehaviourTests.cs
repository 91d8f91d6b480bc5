using Convolve.Faces;
using Convolve.Faces.Encoding;

namespace Convolve.Tests.Faces;

/// <summary>Batching, threading and edge cases of the landmark and encoding APIs with the real models.</summary>
public sealed class FaceModelBehaviourTests(FaceModels models) : IClassFixture<FaceModels>
{
    [Fact]
    public void Batches_give_the_same_results_as_single_crops_and_keep_order()
    {
        var (full, _, encoder) = models.Require();
        var reference = FaceApiReference.LoadShared("s1");
        var boxes = reference.Pipeline("pipeline_ssd_landmark68_recognition").Select(f => f.Box).ToList();
        var crops = boxes.Select(b => b.ClipAndFloor(reference.Image.Width, reference.Image.Height)).ToList();

        var batch = encoder.Encode(reference.Image, crops);
        for (int i = 0; i < crops.Count; i++)
            Assert.True(FaceApiReference.MaxAbsDiff(batch[i], encoder.Encode(reference.Image, crops[i])) < 1e-5f);

        var batchLandmarks = full.Detect(reference.Image, boxes);
        var single = full.Detect(reference.Image, boxes[2])!;
        Assert.Equal(boxes[2], batchLandmarks[2]!.Box);
        Assert.True(single.Points.Zip(batchLandmarks[2]!.Points).All(p => Math.Abs(p.First.X - p.Second.X) < 1e-3 && Math.Abs(p.First.Y - p.Second.Y) < 1e-3));

        // The three people in s1, encoded from their dlib crops: all pairs above face-api's 0.6 threshold
        // (spec §9: 0.629, 0.693, 0.638); a descriptor is at distance 0 from itself.
        var descriptors = encoder.Encode(reference.Image, batchLandmarks.Select(l => Convolve.Faces.Alignment.DlibCrop.FromLandmarks(l!)).ToList());
        float[] distances = [FaceEncoder.Distance(descriptors[0], descriptors[1]), FaceEncoder.Distance(descriptors[0], descriptors[2]), FaceEncoder.Distance(descriptors[1], descriptors[2])];
        Assert.Equal([0.629f, 0.693f, 0.638f], distances, (a, b) => Math.Abs(a - b) < 0.001f);
        Assert.Equal(0f, FaceEncoder.Distance(descriptors[0], descriptors[0]));
    }

    [Fact]
    public void Concurrent_calls_give_the_same_descriptors()
    {
        var (_, _, encoder) = models.Require();
        var reference = FaceApiReference.LoadShared("s1");
        var crop = new PixelRect(150, 100, 110, 130);
        var expected = encoder.Encode(reference.Image, crop);
        var results = new float[4][];
        Parallel.For(0, results.Length, i => results[i] = encoder.Encode(reference.Image, crop));
        Assert.All(results, r => Assert.True(FaceApiReference.MaxAbsDiff(r, expected) < 1e-6f));
    }

    [Fact]
    public void Boxes_outside_the_image_give_no_landmarks_and_crops_outside_are_refused()
    {
        var (full, _, encoder) = models.Require();
        var reference = FaceApiReference.LoadShared("s1");
        var results = full.Detect(reference.Image, [new FaceBox(900, 10, 50, 50), new FaceBox(171.947f, 147.482f, 74.546f, 99.773f)]);
        Assert.Null(results[0]);
        Assert.NotNull(results[1]);
        var e = Assert.Throws<ArgumentException>(() => encoder.Encode(reference.Image, new PixelRect(-100, 0, 50, 50)));
        Assert.Contains("no pixel inside", e.Message);
        // A crop partly outside is clipped like face-api does: same descriptor as the clipped crop.
        var partly = encoder.Encode(reference.Image, new PixelRect(760, 500, 80, 60));
        Assert.True(FaceApiReference.MaxAbsDiff(partly, encoder.Encode(reference.Image, new PixelRect(760, 500, 40, 33))) < 1e-6f);
    }
}
