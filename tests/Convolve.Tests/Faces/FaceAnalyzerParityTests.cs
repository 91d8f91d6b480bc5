using System.Security.Cryptography;
using Convolve.Faces;
using Convolve.Faces.Alignment;
using Convolve.Imaging;

namespace Convolve.Tests.Faces;

/// <summary>
/// The whole pipeline (SSD → 68 landmarks → face-api's dlib crop → descriptor), nothing taken from the reference but the image, against what face-api 1.7.15 itself
/// computed for the same pixels (tests/reference/fixtures, made by tests/reference/make-fixtures.mjs).
/// </summary>
public class FaceAnalyzerParityTests(FaceAnalyzerFixture analyzers) : IClassFixture<FaceAnalyzerFixture>
{
    public static TheoryData<string> Inputs => new() { "sample1", "sample2", "sample3", "sample4", "sample5", "sample6", "s1", "m1" };

    [Theory]
    [MemberData(nameof(Inputs))]
    public void PipelineMatchesFaceApi(string name)
    {
        var analyzer = analyzers.Get(new FaceAnalyzerOptions { Alignment = FaceAlignment.FaceApiCrop });
        var reference = FaceApiReference.LoadFixture(name);
        Assert.Equal(reference.Root.GetProperty("image").GetProperty("rgbSha256").GetString(),
            Convert.ToHexStringLower(SHA256.HashData(reference.Image.Pixels)));

        var expected = reference.Pipeline("pipeline_ssd_landmark68_recognition");
        var actual = analyzer.Encode(reference.Image);

        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            var box = actual[i].Face.Box;
            Assert.True(Math.Abs(box.X - expected[i].Box.X) < 0.01 && Math.Abs(box.Y - expected[i].Box.Y) < 0.01
                && Math.Abs(box.Width - expected[i].Box.Width) < 0.01 && Math.Abs(box.Height - expected[i].Box.Height) < 0.01,
                $"{name} face {i}: box {box} vs face-api {expected[i].Box}");
            float landmarkError = actual[i].Face.Landmarks.Points.Zip(expected[i].Landmarks)
                .Max(p => Math.Max(Math.Abs(p.First.X - p.Second.X), Math.Abs(p.First.Y - p.Second.Y)));
            Assert.True(landmarkError < 0.01f, $"{name} face {i}: landmarks differ by {landmarkError} px");
            Assert.Equal(expected[i].DlibRect, DlibCrop.FromLandmarks(actual[i].Face.Landmarks));
            float descriptorError = FaceApiReference.MaxAbsDiff(actual[i].Encoding, expected[i].Descriptor);
            Assert.True(descriptorError < 1e-4f, $"{name} face {i}: descriptor differs by {descriptorError}");
        }
    }
}
