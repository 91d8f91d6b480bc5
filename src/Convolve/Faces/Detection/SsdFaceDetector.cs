using Convolve.Imaging;
using Convolve.Models;
using Convolve.Weights;
using static TorchSharp.torch;

namespace Convolve.Faces.Detection;

/// <summary>Options of the SSD MobileNetV1 face detector (face-api's <c>SsdMobilenetv1Options</c> defaults).</summary>
/// <param name="MinConfidence">Faces need a score above this.</param>
/// <param name="MaxResults">At most this many faces per image.</param>
public sealed record SsdFaceDetectorOptions(double MinConfidence = 0.5, int MaxResults = 100)
{
    /// <summary>NMS IoU threshold (fixed in face-api).</summary>
    public const double IouThreshold = 0.5;
}

/// <summary>
/// The SSD MobileNetV1 face detector, mapped back to image pixels exactly as face-api does (spec §3): the image is
/// padded to a square at the bottom/right, resized to 512×512 (TF legacy bilinear), scaled to [−1, 1]; boxes of
/// anchors scoring above <see cref="SsdFaceDetectorOptions.MinConfidence"/> go through greedy NMS (IoU 0.5), are
/// clamped to the padded square and scaled to the image. The more accurate of the two detectors.
/// </summary>
public sealed class SsdFaceDetector : IFaceDetector
{
    /// <summary>The weights manifest file name.</summary>
    public const string ManifestFile = "ssd_mobilenetv1_model-weights_manifest.json";

    private readonly SsdMobilenetV1 _network;

    /// <summary>Wraps a loaded network; the detector owns and disposes it.</summary>
    public SsdFaceDetector(SsdMobilenetV1 network, SsdFaceDetectorOptions? options = null)
    {
        _network = network;
        Options = options ?? new SsdFaceDetectorOptions();
        if (Options.MaxResults < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxResults must be at least 1.");
    }

    /// <summary>Loads the detector from the installed models (see <see cref="ModelStore"/>).</summary>
    public static SsdFaceDetector Load(ModelStore? store = null, SsdFaceDetectorOptions? options = null) =>
        new(SsdMobilenetV1.Load((store ?? ModelStore.Default).Find(ManifestFile)), options);

    /// <summary>The options in force.</summary>
    public SsdFaceDetectorOptions Options { get; }

    /// <inheritdoc />
    public string Name => "ssd";

    /// <inheritdoc />
    public IReadOnlyList<FaceDetection> Detect(RgbImage image) => Detect(new[] { image })[0];

    /// <inheritdoc />
    public IReadOnlyList<IReadOnlyList<FaceDetection>> Detect(IReadOnlyList<RgbImage> images) =>
        DetectorInput.InChunks(images, (start, count) =>
        {
            var predictions = Predict(images, start, count);
            return predictions.Select((p, i) => ToFaces(p, images[start + i])).ToList();
        });

    /// <summary>
    /// The raw per-anchor output for <paramref name="image"/>: boxes (ymin, xmin, ymax, xmax) relative to the padded
    /// 512 square and scores, for all 5118 anchors (for inspection and parity tests).
    /// </summary>
    public SsdPredictions Predict(RgbImage image) => Predict(new[] { image }, 0, 1)[0];

    private SsdPredictions[] Predict(IReadOnlyList<RgbImage> images, int start, int count)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = DetectorInput.Batch(images, start, count, SsdMobilenetV1.InputSize).div_(Nn.Scalars.Of(127.5f)).sub_(Nn.Scalars.Of(1f));
        var (boxes, scores) = _network.Forward(input);
        float[] allBoxes = boxes.data<float>().ToArray();
        float[] allScores = scores.data<float>().ToArray();
        const int n = SsdMobilenetV1.AnchorCount;
        return Enumerable.Range(0, count)
            .Select(i => new SsdPredictions(allBoxes[(i * n * 4)..((i + 1) * n * 4)], allScores[(i * n)..((i + 1) * n)]))
            .ToArray();
    }

    private IReadOnlyList<FaceDetection> ToFaces(SsdPredictions p, RgbImage image)
    {
        var candidates = Enumerable.Range(0, SsdMobilenetV1.AnchorCount).Where(i => p.Scores[i] > Options.MinConfidence).ToArray();
        var corners = candidates.Select(p.Corners).ToArray();
        var kept = GreedyNms.Select(corners, candidates.Select(i => (double)p.Scores[i]).ToArray(),
            SsdFaceDetectorOptions.IouThreshold, Options.MaxResults);

        // The relative boxes refer to the padded square; the image fills (rw, rh) of its 512 pixels.
        var (rw, rh) = Nn.SparseSquareResize.ReshapedDimensions(image.Width, image.Height, SsdMobilenetV1.InputSize);
        double padX = SsdMobilenetV1.InputSize / (double)rw, padY = SsdMobilenetV1.InputSize / (double)rh;
        return kept.Select(k =>
        {
            var c = corners[k];
            double top = Math.Max(0, c.Top) * padY, bottom = Math.Min(1, c.Bottom) * padY;
            double left = Math.Max(0, c.Left) * padX, right = Math.Min(1, c.Right) * padX;
            var box = new FaceBox((float)(left * image.Width), (float)(top * image.Height),
                (float)((right - left) * image.Width), (float)((bottom - top) * image.Height));
            return new FaceDetection(box, p.Scores[candidates[k]]);
        }).ToList();
    }

    /// <inheritdoc />
    public void Dispose() => _network.Dispose();
}

/// <summary>Raw SSD output for one image: 5118 boxes (ymin, xmin, ymax, xmax, relative to the padded square) and scores.</summary>
/// <param name="Boxes">5118·4 values, row-major.</param>
/// <param name="Scores">5118 face scores (sigmoid of class logit 1).</param>
public sealed record SsdPredictions(float[] Boxes, float[] Scores)
{
    /// <summary>The box of anchor <paramref name="index"/> as corners (x = xmin/xmax, y = ymin/ymax).</summary>
    public BoxCorners Corners(int index) =>
        new(Boxes[index * 4 + 1], Boxes[index * 4], Boxes[index * 4 + 3], Boxes[index * 4 + 2]);
}
