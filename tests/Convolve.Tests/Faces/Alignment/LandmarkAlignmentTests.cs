using Convolve.Faces;
using Convolve.Faces.Alignment;
using Convolve.Imaging;
using Convolve.Tests.Faces;
using static TorchSharp.torch;

namespace Convolve.Tests.Faces.Alignment;

/// <summary>Landmark alignment puts the five points on the template and undoes head roll, which face-api's crop does not.</summary>
public class LandmarkAlignmentTests(FaceAnalyzerFixture analyzers) : IClassFixture<FaceAnalyzerFixture>
{
    [Fact]
    public void AChipOfAnotherSizeCutsOutTheWindowItsTransformNames()
    {
        using var scope = NewDisposeScope();
        // A 60×40 image whose pixel (x, y) holds (x, y, x + y); a pure shift by (−7, −3) into a 20-px chip.
        var pixels = new byte[60 * 40 * 3];
        for (int y = 0; y < 40; y++)
            for (int x = 0; x < 60; x++) { int k = (y * 60 + x) * 3; (pixels[k], pixels[k + 1], pixels[k + 2]) = ((byte)x, (byte)y, (byte)(x + y)); }
        var image = new RgbImage(60, 40, pixels);

        var chip = LandmarkAlignment.Chip(image, new SimilarityTransform(1, 0, -7, -3), size: 20);

        Assert.Equal(new long[] { 1, 3, 20, 20 }, chip.shape);
        // chip(u, v) = image(u + 7, v + 3)
        Assert.Equal(7f + 5, chip[0, 0, 4, 5].item<float>(), 3);
        Assert.Equal(3f + 4, chip[0, 1, 4, 5].item<float>(), 3);
        Assert.Equal(7f + 19 + 3 + 19, chip[0, 2, 19, 19].item<float>(), 3);
    }

    [Fact]
    public void PointsThatAreATurnedScaledTemplateLandExactlyOnIt()
    {
        var truth = new SimilarityTransform(0.8 * Math.Cos(0.3), 0.8 * Math.Sin(0.3), 40, -12); // template → image
        var back = truth.Inverse();
        var image = LandmarkAlignment.Template.Select(p => back.Apply(p.X, p.Y)).ToList();
        var toChip = SimilarityTransform.Estimate(image, LandmarkAlignment.Template);
        for (int k = 0; k < 5; k++)
        {
            var (x, y) = toChip.Apply(image[k].X, image[k].Y);
            Assert.Equal(LandmarkAlignment.Template[k].X, x, 6);
            Assert.Equal(LandmarkAlignment.Template[k].Y, y, 6);
        }
    }

    [Fact]
    public void OnRealFacesTheFitIsCloserToTheTemplateThanFaceApisCrop()
    {
        // face-api's crop is itself a similarity (shift and scale to 150 px), so the least-squares fit can only do better.
        var analyzer = analyzers.Get();
        var image = FaceApiReference.LoadShared("s1").Image;
        foreach (var face in analyzer.Detect(image))
        {
            var points = LandmarkAlignment.FivePoints(face.Landmarks);
            var crop = DlibCrop.FromLandmarks(face.Landmarks);
            double scale = (double)LandmarkAlignment.ChipSize / crop.Width;
            var faceApi = new SimilarityTransform(scale, 0, -crop.X * scale, -crop.Y * scale);
            double fitted = Residual(LandmarkAlignment.ImageToChip(face.Landmarks), points);
            double cropped = Residual(faceApi, points);
            Assert.True(fitted <= cropped + 1e-9, $"fit residual {fitted:F2} vs face-api crop {cropped:F2}");
        }
    }

    private static double Residual(SimilarityTransform t, IReadOnlyList<(double X, double Y)> points) =>
        points.Select((p, k) => t.Apply(p.X, p.Y)).Select((q, k) =>
            Math.Pow(q.X - LandmarkAlignment.Template[k].X, 2) + Math.Pow(q.Y - LandmarkAlignment.Template[k].Y, 2)).Sum();

    [Fact]
    public void AlignmentUndoesRollThatChangesFaceApisCrop()
    {
        var image = FaceApiReference.LoadShared("s1").Image;
        // The same photo turned by 15° about its centre: same people, rolled heads.
        var turn = new SimilarityTransform(Math.Cos(0.262), Math.Sin(0.262), 0, 0);
        var (cx, cy) = turn.Apply(image.Width / 2.0, image.Height / 2.0);
        turn = turn with { Tx = image.Width / 2.0 - cx, Ty = image.Height / 2.0 - cy };
        RgbImage rolled;
        using (var scope = NewDisposeScope())
            rolled = RgbImage.FromTensor(WarpFull(image.ToTensor(), turn, image.Width, image.Height));

        var aligned = MatchedDistances(analyzers.Get(new FaceAnalyzerOptions { Alignment = FaceAlignment.Landmarks }), image, rolled, turn);
        var cropped = MatchedDistances(analyzers.Get(new FaceAnalyzerOptions { Alignment = FaceAlignment.FaceApiCrop }), image, rolled, turn);

        // Measured: aligned 0.165, 0.168, 0.413; face-api's crop 0.386, 0.350, 0.437 (15° roll of s1.png).
        for (int i = 0; i < aligned.Count; i++)
            Assert.True(aligned[i] < cropped[i], $"face {i}: alignment moved the encoding by {aligned[i]:F3}, face-api's crop by {cropped[i]:F3}");
        double median = aligned.Order().ElementAt(aligned.Count / 2);
        Assert.True(median < 0.25, $"median distance between a face and its rolled copy, aligned: {median:F3}");
    }

    /// <summary>For each face, the distance between its encoding and the encoding of the same face in the rolled photo.</summary>
    private static List<double> MatchedDistances(FaceAnalyzer analyzer, RgbImage image, RgbImage rolled, SimilarityTransform turn)
    {
        var original = analyzer.Encode(image);
        var turned = analyzer.Encode(rolled);
        Assert.NotEmpty(original);
        return original.Select(face =>
        {
            var (x, y) = turn.Apply(face.Face.Box.Center.X, face.Face.Box.Center.Y);
            var match = turned.MinBy(t => Math.Pow(t.Face.Box.Center.X - x, 2) + Math.Pow(t.Face.Box.Center.Y - y, 2))!;
            return FaceAnalyzer.Distance(face.Encoding, match.Encoding);
        }).ToList();
    }

    private static Tensor WarpFull(Tensor image, SimilarityTransform toOutput, int width, int height)
    {
        // SimilarityWarp makes square chips; cut the square of the longer side and keep the image's own size.
        int side = Math.Max(width, height);
        using var square = SimilarityWarp.Warp(image, toOutput, side);
        return square[.., .., ..height, ..width].contiguous();
    }
}
