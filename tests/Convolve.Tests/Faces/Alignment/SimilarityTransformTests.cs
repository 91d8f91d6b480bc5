using Convolve.Faces.Alignment;

namespace Convolve.Tests.Faces.Alignment;

public class SimilarityTransformTests
{
    [Fact]
    public void RecoversAKnownRotationScaleAndShift()
    {
        // 30° rotation, scale 1.5, shift (10, −4), worked out by hand: a = 1.5·cos30°, b = 1.5·sin30°.
        double a = 1.5 * Math.Cos(Math.PI / 6), b = 1.5 * Math.Sin(Math.PI / 6);
        var truth = new SimilarityTransform(a, b, 10, -4);
        var src = new List<(double, double)> { (0, 0), (10, 0), (0, 20), (7, 3), (-5, 12) };
        var dst = src.Select(p => truth.Apply(p.Item1, p.Item2)).ToList();

        var t = SimilarityTransform.Estimate(src, dst);

        Assert.Equal(1.5, t.Scale, 9);
        Assert.Equal(Math.PI / 6, t.Rotation, 9);
        Assert.Equal(10, t.Tx, 9);
        Assert.Equal(-4, t.Ty, 9);
    }

    [Fact]
    public void TwoPointsMapExactlyAndTheInverseUndoesTheTransform()
    {
        var t = SimilarityTransform.Estimate(new List<(double, double)> { (1, 1), (3, 1) }, new List<(double, double)> { (0, 0), (0, 4) });
        // (1,1)→(0,0) and (3,1)→(0,4): a 90° turn with scale 2.
        Assert.Equal(2, t.Scale, 9);
        Assert.Equal(Math.PI / 2, t.Rotation, 9);
        var (x, y) = t.Inverse().Apply(0, 4);
        Assert.Equal(3, x, 9);
        Assert.Equal(1, y, 9);
    }

    [Fact]
    public void NoisyPointsGiveTheLeastSquaresFit()
    {
        // Target = source shifted by (1, 0) except one point moved by +0.3 in y: the best fit keeps scale ≈ 1.
        var src = new List<(double, double)> { (0, 0), (4, 0), (0, 4), (4, 4) };
        var dst = new List<(double, double)> { (1, 0), (5, 0), (1, 4), (5, 4.3) };
        var t = SimilarityTransform.Estimate(src, dst);
        Assert.InRange(t.Scale, 1.0, 1.05);
        Assert.Equal(1.0 + 0.0, t.Apply(0, 0).X, 1);
    }

    [Fact]
    public void CoincidentPointsAreRefused() =>
        Assert.Throws<ArgumentException>(() => SimilarityTransform.Estimate(
            new List<(double, double)> { (2, 2), (2, 2) }, new List<(double, double)> { (0, 0), (1, 1) }));
}
