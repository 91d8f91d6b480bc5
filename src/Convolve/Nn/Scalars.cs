using System.Collections.Concurrent;
using TorchSharp;

namespace Convolve.Nn;

/// <summary>
/// TorchSharp scalars that live for the whole process, for passing constants to tensor ops (<c>x.div_(Scalars.Of(127.5f))</c>,
/// <c>a.add(b, Scalars.One)</c>). Never let TorchSharp or C# create an implicit scalar (<c>x.mul(2f)</c>, <c>t / 5</c>,
/// <c>clamp_(0, 6)</c>, and <c>a.add(b)</c> / <c>a + b</c>, whose default alpha is one) in code that may run on several threads.
/// </summary>
/// <remarks>
/// Why: a TorchSharp 0.107 <see cref="Scalar"/> is a bare native handle freed by its finalizer and not tracked by dispose scopes;
/// an implicit one is unreachable once its handle is read, so a GC on another thread can free it while libtorch still reads it
/// ("Unknown scalar type", "toFloat at c10/core/Scalar.h"). Rooted scalars are never finalized. For values computed at run time
/// use <c>using var s = value.ToScalar();</c> and pass <c>s</c>: the using local stays alive to the end of its scope.
/// The kind matters for integer tensors: <see cref="Of(long)"/> makes an integer scalar, <see cref="Of(double)"/> a floating one.
/// Constants only: every distinct value stays in the cache for good.
/// </remarks>
internal static class Scalars
{
    private static readonly ConcurrentDictionary<long, Scalar> Integers = new();
    private static readonly ConcurrentDictionary<float, Scalar> Singles = new();
    private static readonly ConcurrentDictionary<double, Scalar> Doubles = new();

    /// <summary>Integer one: TorchSharp's default <c>alpha</c> of <c>add(Tensor)</c> (out = a + alpha·b), passed explicitly.</summary>
    public static readonly Scalar One = Of(1);

    /// <summary>The process-lifetime integer scalar <paramref name="value"/> (what an <c>int</c> literal converts to).</summary>
    public static Scalar Of(long value) => Integers.GetOrAdd(value, static v => v.ToScalar());

    /// <summary>The process-lifetime scalar made from the float <paramref name="value"/> (what a <c>float</c> literal converts to).</summary>
    public static Scalar Of(float value) => Singles.GetOrAdd(value, static v => v.ToScalar());

    /// <summary>The process-lifetime scalar made from the double <paramref name="value"/> (what a <c>double</c> literal converts to).</summary>
    public static Scalar Of(double value) => Doubles.GetOrAdd(value, static v => v.ToScalar());
}
