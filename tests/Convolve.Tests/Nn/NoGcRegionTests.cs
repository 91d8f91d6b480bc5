using System.Runtime;
using Convolve.Nn;

namespace Convolve.Tests.Nn;

/// <summary>
/// The no-GC region around TorchSharp's L-BFGS step: granted, shared by nested calls, no collection inside while the
/// budget lasts, and the runtime back in its normal mode after success, failure or an exhausted budget. Runs alone
/// (GcPressure collection): another test's GC.Collect would end the region early, which is allowed behaviour but would
/// make these assertions flaky.
/// </summary>
[Collection(GcPressure.Name)]
public class NoGcRegionTests
{
    private static volatile byte[]? _sink;

    [Fact]
    public void The_region_is_granted_nested_calls_share_it_and_normal_mode_returns_after()
    {
        var (mode, innerMode, collections) = NoGcRegion.Run(() =>
        {
            var outer = GCSettings.LatencyMode;
            var inner = NoGcRegion.Run(() => GCSettings.LatencyMode); // nested: shares the region
            int before = GC.CollectionCount(0);
            for (int i = 0; i < 768; i++) _sink = new byte[16 * 1024]; // 12 MB, below the 16 MB budget
            return (outer, inner, GC.CollectionCount(0) - before);
        });
        Assert.Equal(GCLatencyMode.NoGCRegion, mode);
        Assert.Equal(GCLatencyMode.NoGCRegion, innerMode);
        Assert.Equal(0, collections);
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [Fact]
    public void An_exception_inside_ends_the_region_and_propagates()
    {
        Assert.Throws<InvalidOperationException>(() => NoGcRegion.Run<int>(() => throw new InvalidOperationException("inside")));
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        Assert.Equal(7, NoGcRegion.Run(() => 7)); // and a new region can start
    }

    [Fact]
    public void Allocating_past_the_budget_ends_the_region_quietly()
    {
        int result = NoGcRegion.Run(() =>
        {
            var garbage = new List<byte[]>();
            for (long total = 0; total < 3 * NoGcRegion.Budget; total += 1 << 20) garbage.Add(new byte[1 << 20]);
            return garbage.Count;
        });
        Assert.Equal(48, result);
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }
}
