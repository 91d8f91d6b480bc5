using System.Runtime;

namespace Convolve.Nn;

/// <summary>
/// Runs TorchSharp code that we cannot make scalar-safe (an optimizer's <c>step()</c>) with the garbage collector held
/// off, so that no implicit <see cref="TorchSharp.Scalar"/> it makes can be finalized while libtorch still reads it
/// (docs/torchsharp.md). Re-entrant and thread-safe: overlapping callers share one region, the last one out ends it.
/// </summary>
/// <remarks>
/// The region allows <see cref="Budget"/> bytes of allocation by all threads; a thread that allocates more ends it early
/// with an ordinary collection, and then the step simply runs unprotected, as it did before. Starting a region costs
/// one blocking collection, cheap next to a training or style step (measured in docs/torchsharp.md).
/// </remarks>
internal static class NoGcRegion
{
    /// <summary>Bytes all threads may allocate while a region is open: far more than an optimizer step allocates.</summary>
    public const long Budget = 16L << 20;

    private static readonly Lock Gate = new();
    private static int _depth;
    private static bool _started;

    /// <summary>Runs <paramref name="action"/> inside a no-GC region (when the runtime grants one) and returns its result.</summary>
    public static T Run<T>(Func<T> action)
    {
        Enter();
        try
        {
            return action();
        }
        finally
        {
            Exit();
        }
    }

    private static void Enter()
    {
        lock (Gate)
        {
            if (_depth++ > 0) return;
            try
            {
                _started = GC.TryStartNoGCRegion(Budget);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentOutOfRangeException)
            {
                _started = false; // the host holds a region of its own, or its GC settings cannot grant the budget
            }
        }
    }

    private static void Exit()
    {
        lock (Gate)
        {
            if (--_depth > 0 || !_started) return;
            _started = false;
            if (GCSettings.LatencyMode != GCLatencyMode.NoGCRegion) return; // ended early by an allocation over budget
            try
            {
                GC.EndNoGCRegion();
            }
            catch (InvalidOperationException)
            {
                // Ended by a collection between the check and the call: nothing left to end.
            }
        }
    }
}
