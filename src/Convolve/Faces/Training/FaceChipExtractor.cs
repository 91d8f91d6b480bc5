using System.Collections.Concurrent;
using System.Text.Json.Serialization;
using Convolve.Faces.Evaluation;
using Convolve.Imaging;
using static TorchSharp.torch;

namespace Convolve.Faces.Training;

/// <summary>What happened to one image of a chip extraction.</summary>
/// <param name="Source">The input image.</param>
/// <param name="Chip">The chip file written, or null when the image failed.</param>
/// <param name="Detected">True when the detector found the face; false when the centred fallback box was used.</param>
/// <param name="Error">Why no chip was written (unreadable image, empty centre crop), else null.</param>
public sealed record FaceChipResult(string Source, string? Chip, bool Detected, string? Error);

/// <summary>The outcome of <see cref="FaceChipExtractor.ExtractAll"/>.</summary>
public sealed record FaceChipReport
{
    /// <summary>Images found under the input root.</summary>
    [JsonPropertyName("images")] public int Images { get; init; }

    /// <summary>Chips written.</summary>
    [JsonPropertyName("chips")] public int Chips { get; init; }

    /// <summary>Chips cut from the centred fallback box because the detector found no face (included in <see cref="Chips"/>).</summary>
    [JsonPropertyName("undetected")] public int Undetected { get; init; }

    /// <summary>Images that gave no chip, and why.</summary>
    [JsonPropertyName("failed")] public IReadOnlyList<ImageFailure> Failed { get; init; } = [];

    /// <summary>True when cancellation stopped the run before every image was tried.</summary>
    [JsonPropertyName("canceled")] public bool Canceled { get; init; }

    /// <summary>The output root.</summary>
    [JsonPropertyName("output")] public string Output { get; init; } = "";

    /// <summary>The analyzer's model id: the chips are cut as this encoding function cuts them.</summary>
    [JsonPropertyName("model")] public string Model { get; init; } = "";
}

/// <summary>
/// Prepares fine-tuning data, like InsightFace's align step: turns an identity tree <c>root/&lt;identity&gt;/&lt;image&gt;</c>
/// into <c>out/&lt;identity&gt;/&lt;name&gt;.png</c>, one 150×150 face chip per image, cut exactly as
/// <see cref="FaceAnalyzer"/> cuts faces for encoding (its configured alignment; chips are rounded to 8 bits). The face
/// is found as in evaluation, by <paramref name="location"/> (<see cref="DatasetFace.Locate"/>): the detected face nearest
/// the image centre, else the landmarks found in the centred half-size box (counted as undetected); or, for face-centred
/// datasets such as LFW, the centred box directly. An unreadable image is reported and the
/// rest go on. The output root also gets <see cref="FaceChipDataset.InfoFile"/>, recording the alignment the chips were
/// cut with, so a network fine-tuned on them is later used with the same alignment.
/// <code>
/// using var faces = FaceAnalyzer.Load();
/// var report = new FaceChipExtractor(faces).ExtractAll("lfw/images", "lfw/chips");
/// </code>
/// </summary>
public sealed class FaceChipExtractor(FaceAnalyzer analyzer, FaceLocation location = FaceLocation.Detect)
{
    /// <summary>How each image's face is found.</summary>
    public FaceLocation Location { get; } = location;

    /// <summary>Side of a chip in pixels (the recognition network's input).</summary>
    public const int ChipSize = Models.FaceRecognitionNet.InputSize;

    /// <summary>
    /// Writes a chip for every image of the identity tree <paramref name="imagesRoot"/> into <paramref name="outputRoot"/>
    /// (same identity folders; existing chips are overwritten), over <paramref name="threads"/> workers;
    /// <paramref name="progress"/> is told after each image. Cancellation stops between images and returns what was done.
    /// </summary>
    public FaceChipReport ExtractAll(string imagesRoot, string outputRoot, Action<FaceChipResult>? progress = null,
        CancellationToken cancellation = default, int threads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var jobs = Plan(IdentityFolders.Read(imagesRoot), outputRoot);
        FaceChipDataset.WriteInfo(outputRoot, analyzer.Options.Alignment, analyzer.ModelId);
        var results = new ConcurrentBag<FaceChipResult>();
        bool canceled = false;
        try
        {
            Parallel.ForEach(jobs, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellation }, job =>
            {
                FaceChipResult result = Extract(job.Source, job.Chip);
                results.Add(result);
                progress?.Invoke(result);
            });
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            canceled = true;
        }
        var failed = results.Where(r => r.Error is not null).OrderBy(r => r.Source, StringComparer.Ordinal)
            .Select(r => new ImageFailure(r.Source, r.Error!)).ToList();
        return new FaceChipReport
        {
            Images = jobs.Count,
            Chips = results.Count(r => r.Chip is not null),
            Undetected = results.Count(r => r.Chip is not null && !r.Detected),
            Failed = failed,
            Canceled = canceled,
            Output = outputRoot,
            Model = analyzer.ModelId,
        };
    }

    /// <summary>Writes the chip of the face of <paramref name="imagePath"/> to <paramref name="chipPath"/> (PNG).</summary>
    public FaceChipResult Extract(string imagePath, string chipPath)
    {
        RgbImage image;
        try
        {
            image = ImageDecoder.Load(imagePath);
        }
        catch (InvalidInputException e)
        {
            return new FaceChipResult(imagePath, null, false, e.Problem);
        }
        var (chip, detected) = ChipOf(image);
        if (chip is null) return new FaceChipResult(imagePath, null, false, "no face found and the centre crop is empty");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(chipPath))!);
        ImageEncoder.Save(chip, chipPath, ImageFormat.Png);
        return new FaceChipResult(imagePath, chipPath, detected, null);
    }

    /// <summary>
    /// The 150×150 chip of the face of <paramref name="image"/> (found by <see cref="Location"/>) and
    /// whether the detector found it; a null chip when even the fallback box has no face pixel.
    /// </summary>
    public (RgbImage? Chip, bool Detected) ChipOf(RgbImage image)
    {
        var (face, detected) = DatasetFace.Locate(analyzer, image, Location);
        if (face is null) return (null, false);
        using var scope = NewDisposeScope();
        return (RgbImage.FromTensor(analyzer.Chip(image, face)), detected);
    }

    /// <summary>
    /// Output path of every image: <c>out/&lt;identity&gt;/&lt;stem&gt;.png</c>; when two images of one identity share a stem
    /// (a.jpg and a.png) both keep their extension in the name (a.jpg.png, a.png.png) so neither overwrites the other.
    /// </summary>
    private static List<(string Source, string Chip)> Plan(IReadOnlyList<IdentityImages> identities, string outputRoot)
    {
        var jobs = new List<(string, string)>();
        foreach (IdentityImages identity in identities)
        {
            var clashing = identity.Images.GroupBy(p => Path.GetFileNameWithoutExtension(p), StringComparer.OrdinalIgnoreCase)
                .Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (string image in identity.Images)
            {
                string stem = Path.GetFileNameWithoutExtension(image);
                string name = (clashing.Contains(stem) ? Path.GetFileName(image) : stem) + ".png";
                jobs.Add((image, Path.Combine(outputRoot, identity.Identity, name)));
            }
        }
        return jobs;
    }
}
