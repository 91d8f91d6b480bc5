using static TorchSharp.torch;

namespace Convolve.Faces.Encoding;

/// <summary>
/// Turns face chips into encodings: the pretrained or a fine-tuned face network (<see cref="FaceEncoder"/>), or an
/// image network trained with Convolve (<see cref="CheckpointChipEncoder"/>). Implementations are thread-safe.
/// </summary>
public interface IChipEncoder : IDisposable
{
    /// <summary>
    /// Encodings of face chips [N,3,150,150] (float, values 0..255), in order; with <paramref name="averageWithMirror"/>
    /// each is the mean of the chip's and its mirror image's.
    /// </summary>
    float[][] EncodeChips(Tensor chips, bool averageWithMirror = false);
}
