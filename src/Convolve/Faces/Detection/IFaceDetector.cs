using Convolve.Imaging;

namespace Convolve.Faces.Detection;

/// <summary>
/// Finds faces in images. An empty list means no face was found, which includes faces too small for the detector
/// (roughly under 1/20 of the image's longer side for SSD at 512, see the detector docs). Implementations are safe
/// to call from several threads at once and free their native memory on <see cref="IDisposable.Dispose"/>.
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
