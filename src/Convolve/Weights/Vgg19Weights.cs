using Convolve.Models;

namespace Convolve.Weights;

/// <summary>Where VGG19 comes from and how the model cache keeps it (convolutional layers only).</summary>
public static class Vgg19Weights
{
    /// <summary>Cache file name of the converted torchvision VGG19 (conv layers only, torchvision names).</summary>
    public const string CacheFileName = "vgg19-conv.safetensors";

    /// <summary>torchvision's ImageNet VGG19 (IMAGENET1K_V1).</summary>
    public static readonly Uri TorchvisionUrl = new("https://download.pytorch.org/models/vgg19-dcbb9e9d.pth");

    /// <summary>
    /// torchvision publishes only the first 8 hex digits of the file's SHA-256, in its name ("dcbb9e9d"; torch.hub
    /// checks exactly this). No full SHA-256 for this file was found published by the source, so none is pinned.
    /// </summary>
    public static readonly PublishedChecksum TorchvisionChecksum = new("dcbb9e9d");

    /// <summary>
    /// Writes a safetensors copy of a VGG19 weights file keeping only the 16 convolutions' weights and biases (the
    /// classifier's ~470 MB of fully connected weights are not needed for features). The source is a safetensors
    /// file or a PyTorch checkpoint (<c>.pth</c>, read by <see cref="TorchCheckpoint"/>). Accepts torchvision names
    /// (features.N.*) and layer names (convX_Y.*); writes torchvision names.
    /// </summary>
    public static void KeepConvolutionsOnly(string source, string destination)
    {
        using var pth = IsTorchCheckpoint(source) ? TorchCheckpoint.Open(source) : null;
        using var st = pth is null ? SafeTensorsFile.Open(source) : null;
        Func<string, bool> contains = pth is not null ? pth.Contains : st!.Contains;
        Func<string, long[]> shape = pth is not null ? n => pth.Tensors[n].Shape : n => st!.Tensors[n].Shape;
        Func<string, float[]> read = pth is not null ? pth.ReadFloats : st!.ReadFloats;
        var entries = new List<SafeTensorsWriter.Entry>();
        foreach (var layer in Vgg19Architecture.Layers.Where(l => l.Kind == Vgg19Architecture.LayerKind.Conv))
        {
            string target = $"features.{layer.TorchvisionIndex}";
            string stem = contains(target + ".weight") ? target
                : contains(layer.Name + ".weight") ? layer.Name
                : throw new InvalidInputException(source, $"no weights for VGG19 layer {layer.Name} ('{target}.weight' or '{layer.Name}.weight')");
            foreach (string suffix in new[] { ".weight", ".bias" })
            {
                if (!contains(stem + suffix)) throw new InvalidInputException(source, $"no tensor '{stem + suffix}' for VGG19 layer {layer.Name}");
                entries.Add(new SafeTensorsWriter.Entry(target + suffix, shape(stem + suffix), read(stem + suffix)));
            }
        }
        SafeTensorsWriter.Write(destination, entries, new Dictionary<string, string>
        {
            ["source"] = Path.GetFileName(source),
            ["content"] = "VGG19 convolutional layers only (features.0 … features.34), torchvision layout, float32",
        });
    }

    /// <summary>
    /// A safetensors path for <paramref name="weightsPath"/>: the path itself for a safetensors file; for a PyTorch
    /// checkpoint (<c>.pth</c>), a conv-only conversion (<see cref="KeepConvolutionsOnly"/>) made once and kept in the
    /// temp folder, keyed by the source's name, size and modification time.
    /// </summary>
    public static string AsSafeTensors(string weightsPath)
    {
        if (!File.Exists(weightsPath) || !IsTorchCheckpoint(weightsPath)) return weightsPath;
        var info = new FileInfo(weightsPath);
        string dir = Path.Combine(Path.GetTempPath(), "convolve-pth");
        string converted = Path.Combine(dir, $"{Path.GetFileNameWithoutExtension(weightsPath)}-{info.Length:x}-{info.LastWriteTimeUtc.Ticks:x}.conv.safetensors");
        if (File.Exists(converted)) return converted;
        Directory.CreateDirectory(dir);
        string partial = converted + "." + Guid.NewGuid().ToString("N") + ".part";
        try
        {
            KeepConvolutionsOnly(weightsPath, partial);
            File.Move(partial, converted, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
        return converted;
    }

    // By content, or by the extensions PyTorch uses (so a damaged .pth is reported as a bad checkpoint, not a bad safetensors file).
    private static bool IsTorchCheckpoint(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".pth" or ".pt" || TorchCheckpoint.LooksLikeCheckpoint(path);
}
