using Convolve.Faces.Alignment;
using Convolve.Faces.Landmarks;
using Convolve.Imaging;
using Convolve.Models;
using Convolve.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Convolve.Faces.Encoding;

/// <summary>
/// Turns face crops into 128-D descriptors with face-api's FaceRecognitionNet: crop (clipped to the image) → centred
/// pad to a square → TF legacy bilinear resize to 150 → <c>(rgb − mean)/255</c> → network. Descriptors are not
/// normalised; two faces are the same person when their euclidean distance is below 0.6 (face-api's threshold).
/// Thread-safe: one instance can serve several threads.
/// </summary>
public sealed class FaceEncoder : IChipEncoder
{
    private readonly FaceRecognitionNet _net;

    /// <summary>Uses <paramref name="net"/> (owned: disposed with this).</summary>
    public FaceEncoder(FaceRecognitionNet net) => _net = net;

    /// <summary>Loads the recognition model from the folder <paramref name="store"/> finds.</summary>
    public static FaceEncoder Load(ModelStore? store = null) => new(FaceRecognitionNet.Load(store));

    /// <summary>The recognition network (e.g. for fine-tuning or tracing); owned by this encoder.</summary>
    public FaceRecognitionNet Network => _net;

    /// <summary>Most crops run through the network at once.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>The descriptor of the face in <paramref name="crop"/> (clipped to the image first).</summary>
    /// <exception cref="ArgumentException">The crop has no pixel inside the image.</exception>
    public float[] Encode(RgbImage image, PixelRect crop) => Encode(image, [crop])[0];

    /// <summary>The descriptor of the face whose landmarks are <paramref name="landmarks"/>, from its dlib-style crop (<see cref="DlibCrop"/>).</summary>
    public float[] Encode(RgbImage image, FaceLandmarks landmarks) => Encode(image, DlibCrop.FromLandmarks(landmarks));

    /// <summary>Descriptors of several faces of one image from their landmarks (dlib-style crops), in order, batched.</summary>
    public float[][] Encode(RgbImage image, IReadOnlyList<FaceLandmarks> landmarks) =>
        Encode(image, landmarks.Select(DlibCrop.FromLandmarks).ToList());

    /// <summary>The descriptor of a whole image that already is a face crop (e.g. an aligned face chip).</summary>
    public float[] Encode(RgbImage faceChip) => Encode(faceChip, new PixelRect(0, 0, faceChip.Width, faceChip.Height));

    /// <summary>Descriptors for several crops of one image, in order, computed in batches of <see cref="BatchSize"/>.</summary>
    /// <exception cref="ArgumentException">A crop has no pixel inside the image.</exception>
    public float[][] Encode(RgbImage image, IReadOnlyList<PixelRect> crops) => EncodeMany(crops.Select(c => (image, c)).ToList());

    /// <summary>Descriptors for crops of many images, in order, computed in batches of <see cref="BatchSize"/>.</summary>
    /// <exception cref="ArgumentException">A crop has no pixel inside its image.</exception>
    public float[][] EncodeMany(IReadOnlyList<(RgbImage Image, PixelRect Crop)> faces)
    {
        var clipped = faces.Select(f => (f.Image, Crop: Clip(f.Image, f.Crop))).ToList();
        var results = new List<float[]>(faces.Count);
        foreach (var chunk in clipped.Chunk(BatchSize)) results.AddRange(RunBatch(chunk));
        return results.ToArray();
    }

    /// <summary>Euclidean distance between two descriptors (face-api's <c>euclideanDistance</c>).</summary>
    public static float Distance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"Descriptor lengths differ ({a.Length} vs {b.Length}).");
        return System.Numerics.Tensors.TensorPrimitives.Distance(a, b);
    }

    private float[][] RunBatch((RgbImage Image, PixelRect Crop)[] chunk)
    {
        using var mode = inference_mode();
        using var scope = NewDisposeScope();
        var input = FaceCrops.ToNetworkInput(chunk, FaceRecognitionNet.InputSize, FaceRecognitionNet.MeanRgb);
        var flat = _net.forward(input).data<float>().ToArray();
        return flat.Chunk(FaceRecognitionNet.DescriptorLength).ToArray();
    }

    /// <summary>
    /// Descriptors for face chips that are already square and 150×150: [N,3,150,150] float with values 0..255
    /// (e.g. landmark-aligned chips). When <paramref name="averageWithMirror"/> is set, each descriptor is the mean of
    /// the chip's and its mirror image's (test-time flip augmentation).
    /// </summary>
    public float[][] EncodeChips(Tensor chips, bool averageWithMirror = false)
    {
        if (chips.dim() != 4 || chips.shape[1] != 3 || chips.shape[2] != FaceRecognitionNet.InputSize || chips.shape[3] != FaceRecognitionNet.InputSize)
            throw new ArgumentException($"Expected chips [N,3,150,150], got [{string.Join(",", chips.shape)}].", nameof(chips));
        using var mode = inference_mode();
        using var scope = NewDisposeScope();
        var input = Nn.TfOps.SubtractMeanAndDivide(chips, FaceRecognitionNet.MeanRgb, 255f);
        var descriptors = _net.forward(input);
        if (averageWithMirror) descriptors = descriptors.add(_net.forward(input.flip(3)), Nn.Scalars.One).div_(Nn.Scalars.Of(2f));
        return descriptors.data<float>().ToArray().Chunk(FaceRecognitionNet.DescriptorLength).ToArray();
    }

    private static PixelRect Clip(RgbImage image, PixelRect crop)
    {
        var clipped = crop.ToFaceBox().ClipAndFloor(image.Width, image.Height);
        if (clipped.IsEmpty)
            throw new ArgumentException($"Face crop {crop} has no pixel inside the {image.Width}x{image.Height} image{(image.Source is null ? "" : " " + image.Source)}.");
        return clipped;
    }

    /// <inheritdoc />
    public void Dispose() => _net.Dispose();
}
