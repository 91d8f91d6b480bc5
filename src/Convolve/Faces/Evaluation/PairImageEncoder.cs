using Convolve.Imaging;

namespace Convolve.Faces.Evaluation;

/// <summary>The encodings of one evaluation image (one per variant) and how its face was found.</summary>
public sealed record EvaluationImage(string Path, float[][]? Encodings, bool Detected, string? Error)
{
    /// <summary>Does not print encodings (biometric data).</summary>
    public override string ToString() => $"EvaluationImage {{ Path = {Path}, Detected = {Detected}, Error = {Error} }}";
}

/// <summary>
/// Runs the face pipeline once per distinct image of an evaluation (pairs or open-set folders) and keeps the
/// encodings for the run. Aligned face datasets (LFW) show one centred person, possibly with others behind: the face
/// is found by <paramref name="location"/> (<see cref="DatasetFace.Locate"/>: the detected face nearest the centre,
/// else the centred box, counted as undetected and never dropped; or the centred box directly). Unreadable files are
/// reported in <see cref="EvaluationImage.Error"/> and the rest go on.
/// </summary>
public sealed class PairImageEncoder(FaceAnalyzer analyzer, IReadOnlyList<EncodingVariant> variants, FaceLocation location = FaceLocation.Detect)
{
    /// <summary>How each image's face is found.</summary>
    public FaceLocation Location { get; } = location;

    /// <summary>The variants computed for every image, in order.</summary>
    public IReadOnlyList<EncodingVariant> Variants { get; } = variants;

    /// <summary>Encodes every path once (in parallel over <paramref name="threads"/> workers); <paramref name="progress"/> is told after each image.</summary>
    public IReadOnlyDictionary<string, EvaluationImage> EncodeAll(IReadOnlyList<string> paths, Action<EvaluationImage>? progress = null,
        CancellationToken cancellation = default, int threads = 1)
    {
        var results = new System.Collections.Concurrent.ConcurrentDictionary<string, EvaluationImage>();
        Parallel.ForEach(paths.Distinct(), new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellation }, path =>
        {
            EvaluationImage result = Encode(path);
            results[path] = result;
            progress?.Invoke(result);
        });
        return results;
    }

    /// <summary>Encodes one image.</summary>
    public EvaluationImage Encode(string path)
    {
        RgbImage image;
        try
        {
            image = ImageDecoder.Load(path);
        }
        catch (InvalidInputException e)
        {
            return new EvaluationImage(path, null, false, e.Problem);
        }
        var (face, detected) = DatasetFace.Locate(analyzer, image, Location);
        if (face is null) return new EvaluationImage(path, null, false, "no face found and the centre crop is empty");
        return new EvaluationImage(path, analyzer.EncodeVariants(image, face, Variants), detected, null);
    }
}
