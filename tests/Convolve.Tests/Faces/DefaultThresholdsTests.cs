using Convolve.Faces;

namespace Convolve.Tests.Faces;

/// <summary>The thresholds by false-accept rate (the table is measured by bench far-table; here its use is checked).</summary>
public sealed class DefaultThresholdsTests
{
    [Fact]
    public void Tabled_rates_give_the_measured_thresholds_and_rates_between_are_interpolated_in_log_far()
    {
        // Landmark alignment, no flip: 1e-2 → 0.6116, 1e-3 → 0.5387 (docs/evaluation.md).
        Assert.Equal(0.6116, DefaultThresholds.ForFalseAcceptRate(FaceAlignment.Landmarks, false, 1e-2), 12);
        Assert.Equal(0.5387, DefaultThresholds.ForFalseAcceptRate(FaceAlignment.Landmarks, false, 1e-3), 12);
        Assert.Equal(0.3812, DefaultThresholds.ForFalseAcceptRate(FaceAlignment.Landmarks, false, 1e-6), 12);
        // 10^-2.5 is halfway in log10: (0.6116 + 0.5387) / 2.
        Assert.Equal((0.6116 + 0.5387) / 2, DefaultThresholds.ForFalseAcceptRate(FaceAlignment.Landmarks, false, Math.Pow(10, -2.5)), 9);
        // 2e-4: log10 = −3.699, 0.699 of the way from 1e-3 to 1e-4 (0.5387 → 0.4718).
        Assert.Equal(0.5387 + (2 - Math.Log10(2) - 1) * (0.4718 - 0.5387), DefaultThresholds.ForFalseAcceptRate(FaceAlignment.Landmarks, false, 2e-4), 9);
    }

    [Theory]
    [InlineData(FaceAlignment.FaceApiCrop, false)]
    [InlineData(FaceAlignment.FaceApiCrop, true)]
    [InlineData(FaceAlignment.Landmarks, false)]
    [InlineData(FaceAlignment.Landmarks, true)]
    public void A_smaller_rate_always_means_a_smaller_threshold(FaceAlignment alignment, bool flip)
    {
        var rates = Enumerable.Range(0, 81).Select(i => Math.Pow(10, -2 - i * 0.05)).ToList();
        var thresholds = rates.Select(r => DefaultThresholds.ForFalseAcceptRate(alignment, flip, r)).ToList();
        Assert.All(thresholds.Zip(thresholds.Skip(1)), p => Assert.True(p.Second < p.First, $"{p.First} then {p.Second}"));
        // The 1e-2 threshold is the best-accuracy default within a few thousandths: both sit where about 1 % of
        // different pairs are accepted (0.73–0.82 % on pairsDevTrain).
        Assert.InRange(DefaultThresholds.ForFalseAcceptRate(alignment, flip, 1e-2) - DefaultThresholds.For(alignment, flip), -0.02, 0.01);
    }

    [Theory]
    [InlineData(0.02)]
    [InlineData(5e-7)]
    [InlineData(double.NaN)]
    public void Rates_outside_the_measured_range_are_refused(double far) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DefaultThresholds.ForFalseAcceptRate(FaceAlignment.Landmarks, false, far));

    [Theory]
    [InlineData(1e-2)]
    [InlineData(3e-3)]
    [InlineData(1e-4)]
    [InlineData(2.5e-6)]
    public void The_rate_of_a_threshold_inverts_the_threshold_of_a_rate(double far)
    {
        double t = DefaultThresholds.ForFalseAcceptRate(FaceAlignment.Landmarks, true, far);
        Assert.Equal(far, DefaultThresholds.FalseAcceptRateAt(FaceAlignment.Landmarks, true, t), far * 1e-9);
    }

    [Fact]
    public void Thresholds_outside_the_table_give_its_end_rates()
    {
        Assert.Equal(1e-2, DefaultThresholds.FalseAcceptRateAt(FaceAlignment.Landmarks, false, 0.9));
        Assert.Equal(1e-6, DefaultThresholds.FalseAcceptRateAt(FaceAlignment.Landmarks, false, 0.1));
    }
}
