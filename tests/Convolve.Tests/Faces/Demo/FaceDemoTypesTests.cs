using Convolve.Faces;
using Convolve.Faces.Demo;
using Convolve.Imaging;

namespace Convolve.Tests.Faces.Demo;

public sealed class FaceDemoTypesTests
{
    private static DemoProbe Probe(string? expected, string? name) =>
        new("p", 0, new FaceBox(0, 0, 1, 1), expected is null ? DemoGroup.NeverEnrolled : DemoGroup.Enrolled, expected, name, name ?? "x", 0.5);

    [Fact]
    public void OutcomesAndCountsFollowTheAnswerAndTheTruth()
    {
        var probes = new[]
        {
            Probe("ann", "ann"),   // recognized, correct
            Probe("ann", null),    // unknown, a miss
            Probe("ann", "bo"),    // wrong (confusion)
            Probe(null, null),     // unknown, correct
            Probe(null, "bo"),     // wrong (false accept)
        };
        Assert.Equal([DemoOutcome.Recognized, DemoOutcome.Unknown, DemoOutcome.Wrong, DemoOutcome.Unknown, DemoOutcome.Wrong], probes.Select(p => p.Outcome));
        Assert.Equal(new DemoCounts(5, 1, 2, 2, 2), DemoCounts.Of(probes));
        var result = new FaceDemoResult("m", 0.6, [], [], probes, "out", TimeSpan.Zero);
        Assert.Equal(new DemoCounts(3, 1, 1, 1, 1), result.EnrolledPeople);
        Assert.Equal(new DemoCounts(2, 0, 1, 1, 1), result.NeverEnrolled);
    }

    [Fact]
    public void MirrorSwapsLeftAndRightAndTwiceIsTheOriginal()
    {
        byte[] px = [1, 2, 3, 4, 5, 6, 7, 8, 9, /* row 2 */ 10, 11, 12, 13, 14, 15, 16, 17, 18];
        var image = new RgbImage(3, 2, px, "a.png");
        var mirror = ImageTransforms.Mirror(image);
        Assert.Equal([7, 8, 9, 4, 5, 6, 1, 2, 3, 16, 17, 18, 13, 14, 15, 10, 11, 12], mirror.Pixels);
        Assert.Equal("a.png (mirrored)", mirror.Source);
        Assert.Equal(px, ImageTransforms.Mirror(mirror).Pixels);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18], px); // the source is unchanged
    }
}
