using Convolve.Faces;
using Convolve.Faces.Alignment;
using Convolve.Faces.Landmarks;

namespace Convolve.Tests.Faces;

/// <summary>
/// Parity with face-api on the committed fixtures (tests/reference/fixtures: the six demo photos plus s1/m1, made
/// by face-api 1.7.15 on the tfjs CPU backend), given face-api's own detection boxes: the raw landmark and recognition
/// outputs on a fixed crop, then for both pipelines the landmark crop, landmarks, dlib crop, extracted crop and descriptors.
/// </summary>
public sealed class FixtureParityTests(FaceModels models, ITestOutputHelper output) : IClassFixture<FaceModels>
{
    public static TheoryData<string> Fixtures => ["sample1", "sample2", "sample3", "sample4", "sample5", "sample6", "s1", "m1"];

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Matches_face_api(string name)
    {
        var (full, tiny, encoder) = models.Require();
        var reference = FaceApiReference.LoadFixture(name);
        // Same decoded bytes as face-api saw, so any difference below is the port's, not the decoder's.
        Assert.Equal(reference.Root.GetProperty("image").GetProperty("rgbSha256").GetString(), reference.RgbSha256());

        var fixedCrop = reference.Root.GetProperty("fixed_crop");
        var crop = FaceApiReference.Rect(fixedCrop.GetProperty("crop_x_y_w_h"));
        float dLm = FaceApiReference.MaxAbsDiff(
            LandmarkMapping.ToCropRelative(full.RawOutput(reference.Image, [crop])[0], crop.Width, crop.Height),
            FaceApiReference.Floats(fixedCrop.GetProperty("faceLandmark68Net_relative_xy_interleaved")));
        float dTiny = FaceApiReference.MaxAbsDiff(
            LandmarkMapping.ToCropRelative(tiny.RawOutput(reference.Image, [crop])[0], crop.Width, crop.Height),
            FaceApiReference.Floats(fixedCrop.GetProperty("faceLandmark68TinyNet_relative_xy_interleaved")));
        float dFrn = FaceApiReference.MaxAbsDiff(encoder.Encode(reference.Image, crop), FaceApiReference.Floats(fixedCrop.GetProperty("faceRecognitionNet_descriptor")));
        output.WriteLine($"{name} fixed crop {crop}: max |Δ| lm68 {dLm:E2}, lm68-tiny {dTiny:E2} (crop-relative), descriptor {dFrn:E2}");
        Assert.True(dLm < 1e-5 && dTiny < 1e-5 && dFrn < 1e-5, "raw network outputs differ from face-api's");

        foreach (var (section, landmarker) in new[] { ("pipeline_ssd_landmark68_recognition", full), ("pipeline_tiny416_landmark68tiny_recognition", tiny) })
        {
            var faces = reference.Pipeline(section);
            var landmarks = landmarker.Detect(reference.Image, faces.Select(f => f.Box).ToList());
            var dlib = landmarks.Select(l => DlibCrop.FromLandmarks(l!)).ToList();
            var descriptors = encoder.Encode(reference.Image, dlib);
            float maxPoint = 0, maxRelative = 0, maxDescriptor = 0;
            for (int i = 0; i < faces.Count; i++)
            {
                var face = faces[i];
                var lm = landmarks[i]!;
                Assert.Equal(FaceApiReference.Rect(face.Json.GetProperty("landmarkCropRect")), lm.Crop);
                Assert.Equal(face.DlibRect, dlib[i]);
                Assert.Equal(FaceApiReference.Rect(face.Json.GetProperty("recognitionCropRect_extracted")),
                    dlib[i].ToFaceBox().ClipAndFloor(reference.Image.Width, reference.Image.Height));
                var relative = FaceApiReference.Points(face.Json.GetProperty("landmarks68_relative"));
                for (int p = 0; p < 68; p++)
                {
                    maxPoint = Math.Max(maxPoint, Math.Max(Math.Abs(lm.Points[p].X - face.Landmarks[p].X), Math.Abs(lm.Points[p].Y - face.Landmarks[p].Y)));
                    float rx = (float)((lm.Points[p].X - (double)face.Box.X) / lm.Crop.Width), ry = (float)((lm.Points[p].Y - (double)face.Box.Y) / lm.Crop.Height);
                    maxRelative = Math.Max(maxRelative, Math.Max(Math.Abs(rx - relative[p].X), Math.Abs(ry - relative[p].Y)));
                }
                maxDescriptor = Math.Max(maxDescriptor, FaceApiReference.MaxAbsDiff(descriptors[i], face.Descriptor));
            }
            output.WriteLine($"{name} {section}: {faces.Count} faces; max |Δ| landmarks {maxPoint:E2} px, relative {maxRelative:E2}, descriptors {maxDescriptor:E2}");
            Assert.True(maxPoint <= 0.01f, $"landmarks differ by {maxPoint} px");
            Assert.True(maxDescriptor <= 1e-4f, $"descriptors differ by {maxDescriptor}");
        }
    }
}
