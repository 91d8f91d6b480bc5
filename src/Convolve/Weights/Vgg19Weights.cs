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
    /// Writes a copy of a VGG19 safetensors file keeping only the 16 convolutions' weights and biases (the classifier's
    /// ~470 MB of fully connected weights are not needed for features). Accepts torchvision names (features.N.*)
    /// and layer names (convX_Y.*); writes torchvision names.
    /// </summary>
    public static void KeepConvolutionsOnly(string source, string destination)
    {
        using var file = SafeTensorsFile.Open(source);
        var entries = new List<SafeTensorsWriter.Entry>();
        foreach (var layer in Vgg19Architecture.Layers.Where(l => l.Kind == Vgg19Architecture.LayerKind.Conv))
        {
            string target = $"features.{layer.TorchvisionIndex}";
            string stem = file.Contains(target + ".weight") ? target
                : file.Contains(layer.Name + ".weight") ? layer.Name
                : throw new InvalidInputException(source, $"no weights for VGG19 layer {layer.Name} ('{target}.weight' or '{layer.Name}.weight')");
            foreach (string suffix in new[] { ".weight", ".bias" })
                entries.Add(new SafeTensorsWriter.Entry(target + suffix, file.Tensors[stem + suffix].Shape, file.ReadFloats(stem + suffix)));
        }
        SafeTensorsWriter.Write(destination, entries, new Dictionary<string, string>
        {
            ["source"] = Path.GetFileName(source),
            ["content"] = "VGG19 convolutional layers only (features.0 … features.34), torchvision layout, float32",
        });
    }
}
