using System.Text.Json;
using System.Text.Json.Serialization;
using Convolve.Data;
using Convolve.Faces.Evaluation;
using Convolve.Imaging;
using Convolve.Models;

namespace Convolve.Faces.Training;

/// <summary>
/// Training data for fine-tuning the face network: an identity tree of 150×150 face chips
/// (<c>root/&lt;identity&gt;/&lt;chip&gt;.png</c>, as <see cref="FaceChipExtractor"/> writes them), read lazily as
/// [3,150,150] samples normalised the way the network expects: <c>(rgb − <see cref="FaceRecognitionNet.MeanRgb"/>)/255</c>.
/// </summary>
public static class FaceChipDataset
{
    /// <summary>The file in a chip tree's root that records how its chips were cut: <c>{"alignment": "FaceApiCrop", "model": ...}</c>.</summary>
    public const string InfoFile = "chips.json";

    /// <summary>Writes <see cref="InfoFile"/> into <paramref name="root"/> (created when missing).</summary>
    public static void WriteInfo(string root, FaceAlignment alignment, string modelId)
    {
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, InfoFile), JsonSerializer.Serialize(new ChipInfo(alignment.ToString(), modelId), Json));
    }

    /// <summary>The alignment the chips under <paramref name="root"/> were cut with, from its <see cref="InfoFile"/>; null when the file is absent.</summary>
    public static FaceAlignment? ReadAlignment(string root)
    {
        string path = Path.Combine(root, InfoFile);
        if (!File.Exists(path)) return null;
        try
        {
            var info = JsonSerializer.Deserialize<ChipInfo>(File.ReadAllText(path), Json);
            return Enum.TryParse(info?.Alignment, out FaceAlignment alignment) ? alignment
                : throw new InvalidInputException(path, $"names an unknown alignment '{info?.Alignment}'");
        }
        catch (JsonException e)
        {
            throw new InvalidInputException(path, "is not valid JSON: " + e.Message, e);
        }
    }

    private sealed record ChipInfo(
        [property: JsonPropertyName("alignment")] string Alignment,
        [property: JsonPropertyName("model")] string Model);

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>
    /// Scans <paramref name="root"/> (identities sorted by name). The first chip is read at once, so a folder of
    /// ordinary photos is refused here with a message saying how to make chips; a later chip of another size is
    /// reported when read (and skipped by training).
    /// </summary>
    public static IdentityDataset Load(string root)
    {
        var identities = IdentityFolders.Read(root);
        var samples = identities.SelectMany((identity, id) => identity.Images.Select(path => new LabeledSample(id, path, () => ReadChip(path)))).ToList();
        ReadChip(samples[0].Source);
        int side = FaceRecognitionNet.InputSize;
        return new IdentityDataset(identities.Select(i => i.Identity).ToList(), samples, [3, side, side], Modality.Image);
    }

    /// <summary>A chip file as [3,150,150] (C-order) with <c>(rgb − mean)/255</c>.</summary>
    public static float[] ReadChip(string path)
    {
        RgbImage image = ImageDecoder.Load(path);
        int side = FaceRecognitionNet.InputSize;
        if (image.Width != side || image.Height != side)
            throw new InvalidInputException(path, $"is {image.Width}×{image.Height}, not a {side}×{side} face chip: fine-tuning the face network trains on the chips " +
                "'convolve faces chips --images DIR --out CHIPS' cuts (then train with --data CHIPS)");
        ReadOnlySpan<float> mean = FaceRecognitionNet.MeanRgb;
        int plane = side * side;
        var sample = new float[3 * plane];
        for (int i = 0; i < plane; i++)
            for (int c = 0; c < 3; c++)
                sample[c * plane + i] = (image.Pixels[i * 3 + c] - mean[c]) / 255f;
        return sample;
    }
}
