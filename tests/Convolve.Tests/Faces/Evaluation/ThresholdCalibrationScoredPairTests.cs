using Convolve.Faces.Evaluation;
using Convolve.Faces.Gallery;

namespace Convolve.Tests.Faces.Evaluation;

public class ThresholdCalibrationScoredPairTests
{
    [Fact]
    public void Calibration_meets_the_far_target_and_is_stored_in_the_gallery()
    {
        // 200 different pairs at 0.50, 0.51, …; same pairs at 0.40 … 0.59. FAR 0.01 allows 2 false accepts →
        // τ = 3rd smallest different distance = 0.52; same pairs under 0.52: 0.40 … 0.51 = 12 of 20.
        var pairs = Enumerable.Range(0, 200).Select(i => new ScoredPair(false, 0.5 + i / 100.0))
            .Concat(Enumerable.Range(0, 20).Select(i => new ScoredPair(true, 0.4 + i / 100.0))).ToList();
        CalibratedThreshold calibration = ThresholdCalibration.Calibrate(pairs, 0.01, "mine.txt", DateTimeOffset.UnixEpoch);
        Assert.Equal(0.52, calibration.Threshold, 12);
        Assert.Equal((0.01, 0.01, 0.6, 20, 200), (calibration.FarTarget, calibration.Far, calibration.Tar, calibration.SamePairs, calibration.DifferentPairs));

        string dir = Directory.CreateTempSubdirectory("convolve-calibration-").FullName;
        try
        {
            using var gallery = FaceGallery.OpenOrCreate(Path.Combine(dir, "g.db"), "m");
            gallery.SetCalibratedThreshold(calibration);
            Assert.Equal(0.52, gallery.ThresholdOr(0.6), 12);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_target_the_pairs_cannot_support_says_how_many_are_needed()
    {
        var pairs = Enumerable.Range(0, 50).Select(i => new ScoredPair(i % 2 == 0, i)).ToList();
        var e = Assert.Throws<NotEnoughPairsException>(() => ThresholdCalibration.Calibrate(pairs, 0.01));
        Assert.Contains("needs at least 100 different-person pairs; the data has 25", e.Message);
    }
}
