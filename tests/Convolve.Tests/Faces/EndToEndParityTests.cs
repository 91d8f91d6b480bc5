using Convolve.Faces.Alignment;
using Convolve.Faces.Detection;

namespace Convolve.Tests.Faces;

/// <summary>
/// The whole face-api pipeline in Convolve, nothing taken from the reference but the image: SSD detection →
/// landmarks → dlib crop → descriptor, against face-api's <c>detectAllFaces().withFaceLandmarks().withFaceDescriptors()</c>.
/// </summary>
public sealed class EndToEndParityTests(FaceModels models, ITestOutputHelper output) : IClassFixture<FaceModels>
{
    [Theory]
    [InlineData("s1")]
    [InlineData("m1")]
    [InlineData("sample1")]
    public void Ssd_landmarks_dlib_crop_descriptor_match_face_api(string name)
    {
        var (full, _, encoder) = models.Require();
        var reference = FaceApiReference.LoadFixture(name);
        var expected = reference.Pipeline("pipeline_ssd_landmark68_recognition");
        using var detector = SsdFaceDetector.Load(new Convolve.Weights.ModelStore(Path.Combine(SharedData.RequireFaceModels())));

        var detections = detector.Detect(reference.Image);
        var landmarks = full.Detect(reference.Image, detections.Select(d => d.Box).ToList());
        var crops = landmarks.Select(l => DlibCrop.FromLandmarks(l!)).ToList();
        var descriptors = encoder.Encode(reference.Image, crops);

        Assert.Equal(expected.Count, detections.Count);
        float maxDescriptor = 0;
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].DlibRect, crops[i]);
            maxDescriptor = Math.Max(maxDescriptor, FaceApiReference.MaxAbsDiff(descriptors[i], expected[i].Descriptor));
        }
        output.WriteLine($"{name}: {detections.Count} faces, dlib crops equal, max descriptor |Δ| {maxDescriptor:E2}");
        Assert.True(maxDescriptor <= 1e-4f, $"descriptors differ by {maxDescriptor}");
    }
}
