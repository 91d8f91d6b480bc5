using Convolve.Imaging;
using Convolve.Nn;
using static TorchSharp.torch;

namespace Convolve.Faces.Detection;

/// <summary>Builds detector input batches: each image padded to a square (bottom/right) and resized to the network size.</summary>
internal static class DetectorInput
{
    /// <summary>Images per forward pass: bounds activation memory (SSD at 512 keeps tens of MB of activations per image).</summary>
    public const int MaxBatch = 8;

    /// <summary>float32 [count, 3, size, size] with values 0..255 for images[start .. start+count).</summary>
    public static Tensor Batch(IReadOnlyList<RgbImage> images, int start, int count, int size)
    {
        using var scope = NewDisposeScope();
        var items = new Tensor[count];
        for (int i = 0; i < count; i++) items[i] = SparseSquareResize.Apply(images[start + i], size);
        return stack(items, 0).MoveToOuterDisposeScope();
    }

    /// <summary>Runs <paramref name="detectBatch"/> on chunks of at most <see cref="MaxBatch"/> images and concatenates the results.</summary>
    public static IReadOnlyList<IReadOnlyList<FaceDetection>> InChunks(
        IReadOnlyList<RgbImage> images, Func<int, int, IReadOnlyList<IReadOnlyList<FaceDetection>>> detectBatch)
    {
        var results = new List<IReadOnlyList<FaceDetection>>(images.Count);
        for (int start = 0; start < images.Count; start += MaxBatch)
            results.AddRange(detectBatch(start, Math.Min(MaxBatch, images.Count - start)));
        return results;
    }
}
