using Convolve.Imaging;
using Convolve.Models;
using Convolve.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Convolve.Faces.Landmarks;

/// <summary>
/// Finds the 68 landmarks of faces given their detection boxes (face-api's <c>withFaceLandmarks</c>): crop the box
/// (clipped to the image, floored), pad to a centred square, resize to 112, run the landmark net, map back to pixels.
/// Thread-safe: one instance can serve several threads.
/// </summary>
public sealed class FaceLandmarker : IDisposable
{
    private readonly FaceLandmark68Net _net;

    /// <summary>Uses <paramref name="net"/> (owned: disposed with this).</summary>
    public FaceLandmarker(FaceLandmark68Net net) => _net = net;

    /// <summary>Loads the full landmark model (or the <paramref name="tiny"/> one) from the folder <paramref name="store"/> finds.</summary>
    public static FaceLandmarker Load(bool tiny = false, ModelStore? store = null) => new(FaceLandmark68Net.Load(tiny, store));

    /// <summary>The landmark network; owned by this landmarker.</summary>
    public FaceLandmark68Net Network => _net;

    /// <summary>Most crops run through the network at once.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>The landmarks of the face in <paramref name="box"/>, or null when the box has no pixel inside the image.</summary>
    public FaceLandmarks? Detect(RgbImage image, FaceBox box) => Detect(image, [box])[0];

    /// <summary>
    /// The landmarks for each box, in the same order; an entry is null when its box has no pixel inside the image.
    /// All crops go through the network in batches of <see cref="BatchSize"/>.
    /// </summary>
    public IReadOnlyList<FaceLandmarks?> Detect(RgbImage image, IReadOnlyList<FaceBox> boxes)
    {
        var results = new FaceLandmarks?[boxes.Count];
        var valid = Enumerable.Range(0, boxes.Count)
            .Select(i => (Index: i, Crop: boxes[i].ClipAndFloor(image.Width, image.Height)))
            .Where(v => !v.Crop.IsEmpty).ToList();
        foreach (var chunk in valid.Chunk(BatchSize))
        {
            var raw = RawOutput(image, chunk.Select(c => c.Crop).ToList());
            for (int k = 0; k < chunk.Length; k++)
                results[chunk[k].Index] = LandmarkMapping.ToImage(raw[k], boxes[chunk[k].Index], chunk[k].Crop);
        }
        return results;
    }

    /// <summary>The network's raw output (136 interleaved fractions of the padded 112 square) for each crop (inside the image).</summary>
    public float[][] RawOutput(RgbImage image, IReadOnlyList<PixelRect> crops)
    {
        if (crops.Count == 0) return [];
        using var mode = inference_mode();
        using var scope = NewDisposeScope();
        var input = FaceCrops.ToNetworkInput(image, crops, FaceLandmark68Net.InputSize, FaceLandmark68Net.MeanRgb);
        var flat = _net.forward(input).data<float>().ToArray();
        return flat.Chunk(2 * FaceLandmark68Net.PointCount).ToArray();
    }

    /// <inheritdoc />
    public void Dispose() => _net.Dispose();
}
