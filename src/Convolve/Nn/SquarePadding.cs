using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Convolve.Nn;

/// <summary>
/// face-api's <c>padToSquare</c>: pads the short side of an image with zeros so it becomes square, either all after
/// the image (bottom/right; the detectors) or centred (landmark and recognition nets), where the part after is
/// <c>Math.round(diff/2)</c> (JS rounding: .5 goes up) and the part before is the rest.
/// </summary>
public static class SquarePadding
{
    /// <summary>The padding (left, right, top, bottom) that makes a <paramref name="width"/>×<paramref name="height"/> image square.</summary>
    public static (int Left, int Right, int Top, int Bottom) Amounts(int width, int height, bool centred)
    {
        int diff = Math.Abs(height - width);
        int after = centred ? (int)Math.Floor(diff * 0.5 + 0.5) : diff;
        int before = diff - after;
        return height > width ? (before, after, 0, 0) : (0, 0, before, after);
    }

    /// <summary>Pads <paramref name="nchw"/> [N,C,H,W] with zeros to [N,C,S,S], S = max(H,W). Returns a new tensor handle (a view of the input when it is already square).</summary>
    public static Tensor PadToSquare(Tensor nchw, bool centred)
    {
        var (l, r, t, b) = Amounts((int)nchw.shape[3], (int)nchw.shape[2], centred);
        if (l + r + t + b == 0) return nchw.alias();
        return F.pad(nchw, new long[] { l, r, t, b });
    }
}
