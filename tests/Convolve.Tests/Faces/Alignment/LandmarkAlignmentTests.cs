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
    public void TheFivePointsLandOnTheTemplate()
    {
        var analyzer = analyzers.Get();
        var image = FaceApiReference.LoadShared("s1").Image;
        foreach (var face in analyzer.Detect(image))
        {
            var toChip = LandmarkAlignment.ImageToChip(face.Landmarks);
            var points = LandmarkAlignment.FivePoints(face.Landmarks);
            for (int k = 0; k < 5; k++)
            {
                var (x, y) = toChip.Apply(points[k].X, points[k].Y);
                // A similarity cannot fit five points exactly; on real faces the residual is a few chip pixels.
                Assert.InRange(Math.Abs(x - LandmarkAlignment.Template[k].X), 0, 8);
                Assert.InRange(Math.Abs(y - LandmarkAlignment.Template[k].Y), 0, 8);
            }
        }
    }

    [Fact]
    public void AlignmentUndoesRollThatChangesFaceApisCrop()
    {
        var image = FaceApiReference.LoadShared("s1").Image;
        // The same photo turned by 25° about its centre: same people, rolled heads.
        var turn = new SimilarityTransform(Math.Cos(0.436), Math.Sin(0.436), 0, 0);
        var (cx, cy) = turn.Apply(image.Width / 2.0, image.Height / 2.0);
        turn = turn with { Tx = image.Width / 2.0 - cx, Ty = image.Height / 2.0 - cy };
        RgbImage rolled;
        using (var scope = NewDisposeScope())
            rolled = RgbImage.FromTensor(WarpFull(image.ToTensor(), turn, image.Width, image.Height));

        double aligned = MatchedDistance(analyzers.Get(new FaceAnalyzerOptions { Alignment = FaceAlignment.Landmarks }), image, rolled, turn);
        double cropped = MatchedDistance(analyzers.Get(new FaceAnalyzerOptions { Alignment = FaceAlignment.FaceApiCrop }), image, rolled, turn);

        Assert.True(aligned < 0.25, $"aligned encodings of the rolled faces moved by {aligned:F3}");
        Assert.True(aligned < cropped, $"alignment ({aligned:F3}) should move encodings less than face-api's crop ({cropped:F3})");
    }

    /// <summary>Largest distance between each face's encoding and the encoding of the same face in the rolled photo.</summary>
    private static double MatchedDistance(FaceAnalyzer analyzer, RgbImage image, RgbImage rolled, SimilarityTransform turn)
    {
        var original = analyzer.Encode(image);
        var turned = analyzer.Encode(rolled);
        Assert.NotEmpty(original);
        double worst = 0;
        foreach (var face in original)
        {
            var (x, y) = turn.Apply(face.Face.Box.Center.X, face.Face.Box.Center.Y);
            var match = turned.MinBy(t => Math.Pow(t.Face.Box.Center.X - x, 2) + Math.Pow(t.Face.Box.Center.Y - y, 2))!;
            worst = Math.Max(worst, FaceAnalyzer.Distance(face.Encoding, match.Encoding));
        }
        return worst;
    }

    private static Tensor WarpFull(Tensor image, SimilarityTransform toOutput, int width, int height)
    {
        // SimilarityWarp makes square chips; cut the square of the longer side and keep the image's own size.
        int side = Math.Max(width, height);
        using var square = SimilarityWarp.Warp(image, toOutput, side);
        return square[.., .., ..height, ..width].contiguous();
    }
}
