using Convolve.Faces;
using Convolve.Faces.Alignment;
using Convolve.Faces.Landmarks;

namespace Convolve.Tests.Faces;

/// <summary>
/// face-api's pipeline after detection, from its own detection boxes: landmarks, the dlib recognition crop and the
/// descriptor, against what face-api produced (SSD + lm68, and tiny detector + lm68-tiny).
/// </summary>
public sealed class PipelineParityTests(FaceModels models, ITestOutputHelper output) : IClassFixture<FaceModels>
{
    [Theory]
    [InlineData("s1", "pipeline_ssd_landmark68_recognition", false)]
    [InlineData("m1", "pipeline_ssd_landmark68_recognition", false)]
    [InlineData("s1", "pipeline_tiny416_landmark68tiny_recognition", true)]
    [InlineData("m1", "pipeline_tiny416_landmark68tiny_recognition", true)]
    public void Landmarks_crops_and_descriptors_match_face_api(string name, string section, bool tiny)
    {
        var (full, tinyLandmarker, encoder) = models.Require();
        var reference = FaceApiReference.LoadShared(name);
        var faces = reference.Pipeline(section);
        var landmarker = tiny ? tinyLandmarker : full;

        var landmarks = landmarker.Detect(reference.Image, faces.Select(f => f.Box).ToList());
        var crops = landmarks.Select(l => DlibCrop.FromLandmarks(l!)).ToList();
        var descriptors = encoder.Encode(reference.Image, crops);

        float maxPoint = 0, maxDescriptor = 0;
        for (int i = 0; i < faces.Count; i++)
        {
            Assert.NotNull(landmarks[i]);
            var points = landmarks[i]!.Points;
            for (int p = 0; p < 68; p++)
                maxPoint = Math.Max(maxPoint, Math.Max(Math.Abs(points[p].X - faces[i].Landmarks[p].X), Math.Abs(points[p].Y - faces[i].Landmarks[p].Y)));
            if (faces[i].DlibRect is { } rect) Assert.Equal(rect, crops[i]);
            maxDescriptor = Math.Max(maxDescriptor, FaceApiReference.MaxAbsDiff(descriptors[i], faces[i].Descriptor));
        }
        output.WriteLine($"{name} {section}: {faces.Count} faces; max landmark |Δ| {maxPoint:F5} px; max descriptor |Δ| {maxDescriptor:E2}");
        Assert.True(maxPoint <= 0.01f, $"landmarks differ by {maxPoint} px");
        Assert.True(maxDescriptor <= 1e-4f, $"descriptors differ by {maxDescriptor}");
    }

    [Fact]
    public void Aligned_rect_matches_face_api()
    {
        var (full, _, _) = models.Require();
        var reference = FaceApiReference.LoadShared("s1");
        var section = reference.Root.GetProperty("pipeline_ssd_landmark68_recognition");
        foreach (var face in section.EnumerateArray())
        {
            var lm = full.Detect(reference.Image, FaceApiReference.Box(face.GetProperty("detection").GetProperty("box")))!;
            var expected = FaceApiReference.Floats(face.GetProperty("alignedRect_minBbox_pad20"));
            var got = lm.AlignedRect;
            Assert.Equal(expected, [got.X, got.Y, got.Width, got.Height], (a, b) => Math.Abs(a - b) < 0.01f);
        }
    }
}
