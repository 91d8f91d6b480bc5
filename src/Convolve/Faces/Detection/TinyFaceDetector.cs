using Convolve.Imaging;
using Convolve.Models;
using Convolve.Nn;
using Convolve.Weights;
using static TorchSharp.torch;

namespace Convolve.Faces.Detection;

/// <summary>Options of the tiny face detector (face-api's <c>TinyFaceDetectorOptions</c> defaults).</summary>
/// <param name="InputSize">Network input side, a multiple of 32 (128, 160, 224, 320, 416, 512, 608 are usual). Larger finds smaller faces, slower.</param>
/// <param name="ScoreThreshold">Faces need a score above this.</param>
public sealed record TinyFaceDetectorOptions(int InputSize = 416, double ScoreThreshold = 0.5)
{
    /// <summary>NMS IoU threshold (fixed in face-api).</summary>
    public const double IouThreshold = 0.4;
}

/// <summary>
/// The tiny (Tiny-YOLOv2-style) face detector, mapped back to image pixels exactly as face-api does (spec §4): the
/// image is padded to a square at the bottom/right, resized to inputSize² (TF legacy bilinear), normalised with the
/// mean RGB and /255; every (cell, anchor) scoring above the threshold is decoded, then greedy NMS (IoU 0.4).
/// Boxes are not clipped. About three times cheaper than SSD and less precise; a larger input size finds smaller faces.
/// </summary>
public sealed class TinyFaceDetector : IFaceDetector
{
    /// <summary>The weights manifest file name.</summary>
    public const string ManifestFile = "tiny_face_detector_model-weights_manifest.json";

    private readonly TinyFaceDetectorNet _network;

    /// <summary>Wraps a loaded network; the detector owns and disposes it.</summary>
    public TinyFaceDetector(TinyFaceDetectorNet network, TinyFaceDetectorOptions? options = null)
    {
        Options = options ?? new TinyFaceDetectorOptions();
        if (Options.InputSize < 32 || Options.InputSize % 32 != 0)
            throw new ArgumentOutOfRangeException(nameof(options), $"InputSize must be a positive multiple of 32, not {Options.InputSize}.");
        _network = network;
    }

    /// <summary>Loads the detector from the installed models (see <see cref="ModelStore"/>).</summary>
    public static TinyFaceDetector Load(ModelStore? store = null, TinyFaceDetectorOptions? options = null) =>
        new(TinyFaceDetectorNet.Load((store ?? ModelStore.Default).Find(ManifestFile)), options);

    /// <summary>The options in force.</summary>
    public TinyFaceDetectorOptions Options { get; }

    /// <inheritdoc />
    public string Name => "tiny";

    /// <inheritdoc />
    public IReadOnlyList<FaceDetection> Detect(RgbImage image) => Detect(new[] { image })[0];

    /// <inheritdoc />
    public IReadOnlyList<IReadOnlyList<FaceDetection>> Detect(IReadOnlyList<RgbImage> images) =>
        DetectorInput.InChunks(images, (start, count) =>
        {
            var outputs = Predict(images, start, count);
            return outputs.Select((o, i) => ToFaces(o, images[start + i])).ToList();
        });

    /// <summary>
    /// The raw network output for <paramref name="image"/> in TF's NHWC layout, grid × grid × 25 values (channel a·5 + k
    /// is tx, ty, tw, th, confidence of anchor a), row-major (for inspection and parity tests).
    /// </summary>
    public float[] Predict(RgbImage image) => Predict(new[] { image }, 0, 1)[0];

    private float[][] Predict(IReadOnlyList<RgbImage> images, int start, int count)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = TfOps.SubtractMeanAndDivide(DetectorInput.Batch(images, start, count, Options.InputSize), TinyFaceDetectorNet.MeanRgb, 255f);
        float[] all = _network.Forward(input).data<float>().ToArray();
        int perImage = all.Length / count;
        return Enumerable.Range(0, count).Select(i => all[(i * perImage)..((i + 1) * perImage)]).ToArray();
    }

    private IReadOnlyList<FaceDetection> ToFaces(float[] output, RgbImage image)
    {
        int size = Options.InputSize, grid = size / 32;
        var (rw, rh) = SparseSquareResize.ReshapedDimensions(image.Width, image.Height, size);
        double cfx = size / (double)rw, cfy = size / (double)rh;   // the image fills (rw, rh) of the square

        var boxes = new List<BoxCorners>();
        var scores = new List<double>();
        for (int row = 0; row < grid; row++)
        for (int col = 0; col < grid; col++)
        for (int a = 0; a < TinyFaceDetectorNet.AnchorsPerCell; a++)
        {
            int o = ((row * grid + col) * TinyFaceDetectorNet.AnchorsPerCell + a) * TinyFaceDetectorNet.ValuesPerAnchor;
            double score = Sigmoid(output[o + 4]);
            if (!(score > Options.ScoreThreshold)) continue;
            var (anchorW, anchorH) = TinyFaceDetectorNet.Anchors[a];
            double cx = (col + Sigmoid(output[o])) / grid * cfx;
            double cy = (row + Sigmoid(output[o + 1])) / grid * cfy;
            double w = Math.Exp(output[o + 2]) * anchorW / grid * cfx;
            double h = Math.Exp(output[o + 3]) * anchorH / grid * cfy;
            double x = cx - w / 2, y = cy - h / 2;
            boxes.Add(new BoxCorners(x, y, x + w, y + h));   // relative to the image
            scores.Add(score);
        }

        var kept = GreedyNms.Select(boxes, scores, TinyFaceDetectorOptions.IouThreshold);
        return kept.Select(k =>
        {
            var b = boxes[k];
            var box = new FaceBox((float)(b.Left * image.Width), (float)(b.Top * image.Height),
                (float)((b.Right - b.Left) * image.Width), (float)((b.Bottom - b.Top) * image.Height));
            return new FaceDetection(box, (float)scores[k]);
        }).ToList();
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <inheritdoc />
    public void Dispose() => _network.Dispose();
}
