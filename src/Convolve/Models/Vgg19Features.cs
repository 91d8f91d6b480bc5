using Convolve.Weights;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Convolve.Models;

/// <summary>
/// VGG19's convolutional part as a fixed feature extractor, built only up to the deepest layer asked for (a prefix
/// of the network), in either weight layout. Input: RGB [N,3,H,W] in 0..1; the layout's own preprocessing is
/// applied inside. Weights never require gradients; gradients flow to the input.
/// </summary>
public sealed class Vgg19Features : IDisposable
{
    private static readonly float[] ImageNetMean = { 0.485f, 0.456f, 0.406f };
    private static readonly float[] ImageNetStd = { 0.229f, 0.224f, 0.225f };

    private readonly Dictionary<string, (Tensor Weight, Tensor Bias)> _convs;
    private readonly Tensor? _preprocessWeight, _preprocessBias, _mean, _std;

    private Vgg19Features(Vgg19Layout layout, Vgg19Pooling pooling, int lastLayer,
        Dictionary<string, (Tensor, Tensor)> convs, Tensor? preW, Tensor? preB)
    {
        Layout = layout;
        Pooling = pooling;
        LastLayerIndex = lastLayer;
        _convs = convs;
        _preprocessWeight = preW;
        _preprocessBias = preB;
        if (layout == Vgg19Layout.Torchvision)
        {
            _mean = tensor(ImageNetMean, new long[] { 1, 3, 1, 1 }).DetachFromDisposeScope();
            _std = tensor(ImageNetStd, new long[] { 1, 3, 1, 1 }).DetachFromDisposeScope();
        }
    }

    /// <summary>The weight layout.</summary>
    public Vgg19Layout Layout { get; }

    /// <summary>The pooling used between blocks.</summary>
    public Vgg19Pooling Pooling { get; }

    /// <summary>Index (in <see cref="Vgg19Architecture.Layers"/>) of the deepest layer this prefix computes.</summary>
    public int LastLayerIndex { get; }

    /// <summary>The deepest layer this network can produce.</summary>
    public string LastLayer => Vgg19Architecture.Layers[LastLayerIndex].Name;

    /// <summary>
    /// Loads the prefix of VGG19 that ends at the deepest of <paramref name="layers"/> from a safetensors file.
    /// Throws <see cref="InvalidInputException"/> naming the file when a needed tensor is missing or has the wrong shape.
    /// </summary>
    public static Vgg19Features Load(string weightsPath, Vgg19Layout layout, IEnumerable<string> layers, Vgg19Pooling pooling = Vgg19Pooling.Max)
    {
        int last = layers.Select(Vgg19Architecture.IndexOf).DefaultIfEmpty(-1).Max();
        if (last < 0) throw new ArgumentException("Ask for at least one layer.", nameof(layers));
        using var file = SafeTensorsFile.Open(Vgg19Weights.AsSafeTensors(weightsPath));
        var convs = new Dictionary<string, (Tensor, Tensor)>();
        Tensor? preW = null, preB = null;
        try
        {
            if (layout == Vgg19Layout.Normalised)
            {
                preW = ReadChecked(file, "preprocess.weight", new long[] { 3, 3, 1, 1 });
                preB = ReadChecked(file, "preprocess.bias", new long[] { 3 });
            }
            foreach (var layer in Vgg19Architecture.Layers.Take(last + 1).Where(l => l.Kind == Vgg19Architecture.LayerKind.Conv))
            {
                string stem = FindStem(file, layer, layout);
                var w = ReadChecked(file, stem + ".weight", new long[] { layer.OutChannels, layer.InChannels, 3, 3 });
                var b = ReadChecked(file, stem + ".bias", new long[] { layer.OutChannels });
                convs[layer.Name] = (w, b);
            }
        }
        catch
        {
            foreach (var (w, b) in convs.Values) { w.Dispose(); b.Dispose(); }
            preW?.Dispose();
            preB?.Dispose();
            throw;
        }
        return new Vgg19Features(layout, pooling, last, convs, preW, preB);
    }

    /// <summary>The deepest ReLU layer whose convolutions (and all before it) the file holds in <paramref name="layout"/>, or null when it has none.</summary>
    public static string? DeepestAvailableLayer(string weightsPath, Vgg19Layout layout)
    {
        using var file = SafeTensorsFile.Open(Vgg19Weights.AsSafeTensors(weightsPath));
        if (layout == Vgg19Layout.Normalised && !file.Contains("preprocess.weight")) return null;
        string? deepest = null;
        foreach (var layer in Vgg19Architecture.Layers)
        {
            if (layer.Kind != Vgg19Architecture.LayerKind.Conv) continue;
            bool present = file.Contains(layer.Name + ".weight")
                || (layout == Vgg19Layout.Torchvision && file.Contains($"features.{layer.TorchvisionIndex}.weight"));
            if (!present) break;
            deepest = "relu" + layer.Name[4..];
        }
        return deepest;
    }

    // torchvision names convolutions by their index in `features`; converted caches may use the layer names.
    private static string FindStem(SafeTensorsFile file, Vgg19Architecture.Layer layer, Vgg19Layout layout)
    {
        string byName = layer.Name, byIndex = $"features.{layer.TorchvisionIndex}";
        if (file.Contains(byName + ".weight")) return byName;
        if (layout == Vgg19Layout.Torchvision && file.Contains(byIndex + ".weight")) return byIndex;
        string expected = layout == Vgg19Layout.Torchvision ? $"'{byIndex}.weight' (or '{byName}.weight')" : $"'{byName}.weight'";
        string hint = file.Contains("conv1_1.weight") && !file.Contains(byName + ".weight")
            ? $" The file ends before {layer.Name}: choose layers up to the file's last convolution."
            : "";
        throw new InvalidInputException(file.Path, $"no tensor {expected} for VGG19 layer {layer.Name} ({layout} layout).{hint}");
    }

    private static Tensor ReadChecked(SafeTensorsFile file, string name, long[] shape)
    {
        if (!file.Contains(name)) throw new InvalidInputException(file.Path, $"no tensor '{name}'");
        var info = file.Tensors[name];
        if (!info.Shape.SequenceEqual(shape))
            throw new InvalidInputException(file.Path, $"tensor '{name}' has shape [{string.Join(",", info.Shape)}], expected [{string.Join(",", shape)}]");
        // Weights live as long as the network, not as long as the caller's dispose scope.
        return file.ReadTensor(name).DetachFromDisposeScope();
    }

    /// <summary>
    /// Runs the network on <paramref name="rgb"/> ([N,3,H,W], 0..1) up to the deepest of <paramref name="layers"/>
    /// and returns those layers' activations by name. Disposal follows the caller's dispose scope.
    /// </summary>
    public Dictionary<string, Tensor> Forward(Tensor rgb, IReadOnlyCollection<string> layers)
    {
        var wanted = new HashSet<string>(layers);
        int last = wanted.Select(Vgg19Architecture.IndexOf).Max();
        if (last > LastLayerIndex) throw new ArgumentException($"Layer {Vgg19Architecture.Layers[last].Name} is deeper than this network's last layer {LastLayer}.");
        var outputs = new Dictionary<string, Tensor>();
        Tensor x = Layout == Vgg19Layout.Torchvision
            ? rgb.sub(_mean!).div(_std!)
            : F.conv2d(rgb, _preprocessWeight!, _preprocessBias!);
        for (int i = 0; i <= last; i++)
        {
            var layer = Vgg19Architecture.Layers[i];
            x = layer.Kind switch
            {
                Vgg19Architecture.LayerKind.Conv => Conv(x, layer.Name),
                Vgg19Architecture.LayerKind.Relu => F.relu(x),
                _ => Pool(x),
            };
            if (wanted.Contains(layer.Name)) outputs[layer.Name] = x;
        }
        return outputs;
    }

    private Tensor Conv(Tensor x, string name)
    {
        var (w, b) = _convs[name];
        if (Layout == Vgg19Layout.Normalised)
            return F.conv2d(F.pad(x, new long[] { 1, 1, 1, 1 }, PaddingModes.Reflect), w, b);
        return F.conv2d(x, w, b, padding: new long[] { 1, 1 });
    }

    // The normalised encoder pools with ceil_mode (as the Torch7 original did); torchvision floors.
    private Tensor Pool(Tensor x) => Pooling == Vgg19Pooling.Max
        ? F.max_pool2d(x, new long[] { 2, 2 }, new long[] { 2, 2 }, ceil_mode: Layout == Vgg19Layout.Normalised)
        : F.avg_pool2d(x, new long[] { 2, 2 }, new long[] { 2, 2 }, ceil_mode: Layout == Vgg19Layout.Normalised);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (w, b) in _convs.Values) { w.Dispose(); b.Dispose(); }
        _preprocessWeight?.Dispose();
        _preprocessBias?.Dispose();
        _mean?.Dispose();
        _std?.Dispose();
    }
}
