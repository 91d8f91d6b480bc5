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
/// whose box centre is nearest the image centre is taken; when the detector finds none, landmarks are computed in a
/// centred box covering half the image (counted as undetected, never dropped). Unreadable files are reported in
/// <see cref="EvaluationImage.Error"/> and the rest go on.
/// </summary>
public sealed class PairImageEncoder(FaceAnalyzer analyzer, IReadOnlyList<EncodingVariant> variants)
{
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
        IReadOnlyList<DetectedFace> faces = analyzer.Detect(image);
        bool detected = faces.Count > 0;
        DetectedFace? face = detected ? NearestCentre(faces, image) : analyzer.FaceIn(image, CentreBox(image));
        if (face is null) return new EvaluationImage(path, null, false, "no face found and the centre crop is empty");
        return new EvaluationImage(path, analyzer.EncodeVariants(image, face, Variants), detected, null);
    }

    /// <summary>The centred box, half the shorter side, where the face of an aligned face image is.</summary>
    public static FaceBox CentreBox(RgbImage image)
    {
        float side = Math.Min(image.Width, image.Height) / 2f;
        return new FaceBox((image.Width - side) / 2, (image.Height - side) / 2, side, side);
    }

    /// <summary>The face whose box centre is nearest the image centre (the subject of an aligned face image).</summary>
    public static DetectedFace NearestCentre(IReadOnlyList<DetectedFace> faces, RgbImage image)
    {
        float cx = image.Width / 2f, cy = image.Height / 2f;
        return faces.MinBy(f => Square(f.Box.Center.X - cx) + Square(f.Box.Center.Y - cy))!;
        static float Square(float v) => v * v;
    }
}
