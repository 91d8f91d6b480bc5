using Convolve.Faces.Evaluation;

namespace Convolve.Tests.Faces.Evaluation;

public sealed class ThresholdCalibrationTests
{
    private static PairDistance Pair(bool same, double distance) => new(new LfwPair("A", 1, same ? "A" : "B", 2, same, 0, 2), distance);

    [Fact]
    public void TheThresholdIsTheDifferentPairDistanceThatKeepsFalseAcceptsWithinTheTarget()
    {
        // 20 different pairs at 0.50, 0.51, ... 0.69; FAR 0.1 allows ⌊0.1·20⌋ = 2 false accepts, so τ is the
        // 3rd smallest (0.52): accepting d < 0.52 takes 0.50 and 0.51 → FAR 2/20. Same pairs: 0.30 0.45 0.515 0.52 0.60.
        var pairs = Enumerable.Range(0, 20).Select(i => Pair(false, 0.50 + i / 100.0))
            .Concat(new[] { 0.30, 0.45, 0.515, 0.52, 0.60 }.Select(d => Pair(true, d))).ToList();
        var at = new DateTimeOffset(2026, 11, 30, 4, 0, 0, TimeSpan.Zero);

        var t = ThresholdCalibration.Calibrate(pairs, 0.1, "mine.txt", at);

        Assert.Equal(0.52, t.Threshold, 12);
        Assert.Equal(0.1, t.FarTarget);
        Assert.Equal(2 / 20.0, t.Far, 12);
        Assert.Equal(3 / 5.0, t.Tar, 12);           // 0.30, 0.45, 0.515 (strictly below 0.52)
        Assert.Equal((5, 20, "mine.txt", at), (t.SamePairs, t.DifferentPairs, t.Source, t.CalibratedAt));
    }

    [Fact]
    public void TooFewDifferentPairsForTheTargetSayHowManyAreNeeded()
    {
        var pairs = Enumerable.Range(0, 50).Select(i => Pair(false, 1 + i)).Append(Pair(true, 0.1)).ToList();
        var e = Assert.Throws<NotEnoughPairsException>(() => ThresholdCalibration.Calibrate(pairs, 0.001));
        Assert.Equal((1000, 50), (e.Needed, e.Available));
        Assert.Equal("a false-accept rate of 0.001 needs at least 1000 different-person pairs; the data has 50", e.Message);
        Assert.Equal(3, e.ExitCode);
    }
}
