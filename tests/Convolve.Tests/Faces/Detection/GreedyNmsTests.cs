using Convolve.Faces.Detection;

namespace Convolve.Tests.Faces.Detection;

/// <summary>Greedy NMS on boxes whose IoU is worked out by hand.</summary>
public sealed class GreedyNmsTests
{
    [Fact]
    public void IoUOfHalfOverlappingUnitBoxesIsOneThird() =>
        // intersection 1·1 = 1, union 2 + 2 − 1 = 3
        Assert.Equal(1.0 / 3, BoxCorners.IoU(new(0, 0, 2, 1), new(1, 0, 3, 1)), 12);

    [Fact]
    public void IoUIsZeroForEmptyBoxesAndReversedCornersAreNormalised()
    {
        Assert.Equal(0, BoxCorners.IoU(new(0, 0, 0, 5), new(0, 0, 1, 5)));
        Assert.Equal(1, BoxCorners.IoU(new(2, 2, 0, 0), new(0, 0, 2, 2)), 12);
    }

    [Fact]
    public void KeepsTheBestOfEachOverlappingGroupInScoreOrder()
    {
        var boxes = new BoxCorners[]
        {
            new(0, 0, 10, 10),    // 0: group A, 0.7
            new(1, 0, 11, 10),    // 1: group A, 0.9 (IoU with 0 = 90/110 = 0.82)
            new(50, 50, 60, 60),  // 2: alone, 0.8
            new(2, 0, 12, 10),    // 3: group A, 0.6
        };
        var kept = GreedyNms.Select(boxes, new[] { 0.7, 0.9, 0.8, 0.6 }, iouThreshold: 0.5);
        Assert.Equal(new[] { 1, 2 }, kept);
    }

    [Fact]
    public void AnIoUEqualToTheThresholdIsNotSuppressed()
    {
        var boxes = new BoxCorners[] { new(0, 0, 2, 1), new(1, 0, 3, 1) }; // IoU exactly 1/3
        Assert.Equal(new[] { 0, 1 }, GreedyNms.Select(boxes, new[] { 0.9, 0.8 }, iouThreshold: 1.0 / 3));
        Assert.Equal(new[] { 0 }, GreedyNms.Select(boxes, new[] { 0.9, 0.8 }, iouThreshold: 0.33));
    }

    [Fact]
    public void StopsAtMaxResults()
    {
        var boxes = Enumerable.Range(0, 5).Select(i => new BoxCorners(i * 10, 0, i * 10 + 5, 5)).ToArray();
        Assert.Equal(new[] { 4, 3 }, GreedyNms.Select(boxes, new[] { 0.1, 0.2, 0.3, 0.4, 0.5 }, 0.5, maxResults: 2));
    }
}
