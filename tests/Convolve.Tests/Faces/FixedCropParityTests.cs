using Convolve.Faces;
using Convolve.Faces.Landmarks;

namespace Convolve.Tests.Faces;

/// <summary>
/// Raw network outputs on face-api's fixed crop (x=150, y=100, 110×130: padded centred, so both pad and resize
/// paths run) against the values face-api itself produced.
/// </summary>
public sealed class FixedCropParityTests(FaceModels models, ITestOutputHelper output) : IClassFixture<FaceModels>
{
    [Theory]
    [InlineData("s1")]
    [InlineData("m1")]
    public void Landmark_nets_and_recognition_net_match_face_api(string name)
    {
        var (full, tiny, encoder) = models.Require();
        var reference = FaceApiReference.LoadShared(name);
        var fixedCrop = reference.Root.GetProperty("fixed_crop");
        var crop = FaceApiReference.Rect(fixedCrop.GetProperty("crop_x_y_w_h"));

        var lm = LandmarkMapping.ToCropRelative(full.RawOutput(reference.Image, [crop])[0], crop.Width, crop.Height);
        var lmTiny = LandmarkMapping.ToCropRelative(tiny.RawOutput(reference.Image, [crop])[0], crop.Width, crop.Height);
        var descriptor = encoder.Encode(reference.Image, crop);

        float dLm = FaceApiReference.MaxAbsDiff(lm, FaceApiReference.Floats(fixedCrop.GetProperty("faceLandmark68Net_relative_xy_interleaved")));
        float dTiny = FaceApiReference.MaxAbsDiff(lmTiny, FaceApiReference.Floats(fixedCrop.GetProperty("faceLandmark68TinyNet_relative_xy_interleaved")));
        float dDesc = FaceApiReference.MaxAbsDiff(descriptor, FaceApiReference.Floats(fixedCrop.GetProperty("faceRecognitionNet_descriptor")));
        output.WriteLine($"{name}: max |Δ| lm68 {dLm:E2}, lm68-tiny {dTiny:E2} (crop-relative), descriptor {dDesc:E2}");

        Assert.True(dLm < 1e-5, $"lm68 differs by {dLm}");
        Assert.True(dTiny < 1e-5, $"lm68-tiny differs by {dTiny}");
        Assert.True(dDesc < 1e-5, $"descriptor differs by {dDesc}");
    }
}
