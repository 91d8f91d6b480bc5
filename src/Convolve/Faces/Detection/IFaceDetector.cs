using Convolve.Imaging;

namespace Convolve.Faces.Detection;

/// <summary>
/// Finds faces in images. An empty list means no face was found; that includes faces too small for the detector:
/// the network sees the image shrunk so that its longer side is 512 (SSD) or the tiny detector's input size, and a
/// face only a few pixels wide there is not found. Huge images are fine: only the pixels the shrunk copy samples are
/// read, and boxes are in the original image's pixels. Implementations are safe to call from several threads at once
/// and free their native memory on <see cref="IDisposable.Dispose"/>.
/// </summary>
public interface IFaceDetector : IDisposable
{
    /// <summary>A short name for reports ("ssd" or "tiny").</summary>
    string Name { get; }

    /// <summary>The faces in <paramref name="image"/>, highest score first.</summary>
    IReadOnlyList<FaceDetection> Detect(RgbImage image);

    /// <summary>The faces in each of <paramref name="images"/> (same order), running the network on batches of images.</summary>
    IReadOnlyList<IReadOnlyList<FaceDetection>> Detect(IReadOnlyList<RgbImage> images);
}
