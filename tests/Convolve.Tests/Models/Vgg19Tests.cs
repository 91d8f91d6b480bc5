using Convolve.Models;
using Convolve.Weights;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Convolve.Tests.Models;

public sealed class Vgg19Tests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("convolve-vgg-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ArchitectureHasTorchvisionIndicesAndNames()
    {
        var layers = Vgg19Architecture.Layers;
        Assert.Equal(37, layers.Count); // torchvision vgg19.features has 37 modules
        Assert.Equal(16, layers.Count(l => l.Kind == Vgg19Architecture.LayerKind.Conv));
        // torchvision indices: features.0 conv1_1, 5 conv2_1, 10 conv3_1, 19 conv4_1, 21 conv4_2, 28 conv5_1, 34 conv5_4, 36 pool5.
        Assert.Equal(0, layers[Vgg19Architecture.IndexOf("conv1_1")].TorchvisionIndex);
        Assert.Equal(5, layers[Vgg19Architecture.IndexOf("conv2_1")].TorchvisionIndex);
        Assert.Equal(10, layers[Vgg19Architecture.IndexOf("conv3_1")].TorchvisionIndex);
        Assert.Equal(19, layers[Vgg19Architecture.IndexOf("conv4_1")].TorchvisionIndex);
        Assert.Equal(22, layers[Vgg19Architecture.IndexOf("relu4_2")].TorchvisionIndex);
        Assert.Equal(34, layers[Vgg19Architecture.IndexOf("conv5_4")].TorchvisionIndex);
        Assert.Equal("pool5", layers[36].Name);
        Assert.Throws<ArgumentException>(() => Vgg19Architecture.IndexOf("relu6_1"));
    }

    // A torchvision-layout file with random weights up to conv2_1 (indices 0, 2, 5).
    private string TorchvisionPrefixFile(int seed)
    {
        var gen = new Generator((ulong)seed);
        var entries = new List<SafeTensorsWriter.Entry>();
        foreach (var (index, o, i) in new[] { (0, 64, 3), (2, 64, 64), (5, 128, 64) })
        {
            entries.Add(new($"features.{index}.weight", new long[] { o, i, 3, 3 }, randn(new long[] { o, i, 3, 3 }, generator: gen).mul(0.05).data<float>().ToArray()));
            entries.Add(new($"features.{index}.bias", new long[] { o }, randn(new long[] { o }, generator: gen).mul(0.1).data<float>().ToArray()));
        }
        string path = Path.Combine(_dir, $"tv{seed}.safetensors");
        SafeTensorsWriter.Write(path, entries);
        return path;
    }

    [Fact]
    public void TorchvisionLayoutNormalisesInputAndPadsWithZeros()
    {
        string path = TorchvisionPrefixFile(1);
        using var scope = NewDisposeScope();
        using var net = Vgg19Features.Load(path, Vgg19Layout.Torchvision, new[] { "relu2_1" }, Vgg19Pooling.Max);
        var x = rand(1, 3, 9, 11);
        var feats = net.Forward(x, new[] { "relu1_1", "pool1", "relu2_1" });

        // Independent reference: the same ops written out directly from the file's tensors.
        using var file = SafeTensorsFile.Open(path);
        var mean = tensor(new[] { 0.485f, 0.456f, 0.406f }).reshape(1, 3, 1, 1);
        var std = tensor(new[] { 0.229f, 0.224f, 0.225f }).reshape(1, 3, 1, 1);
        Tensor Conv(Tensor t, int i) => F.conv2d(t, file.ReadTensor($"features.{i}.weight"), file.ReadTensor($"features.{i}.bias"), padding: new long[] { 1, 1 });
        var r11 = F.relu(Conv(x.sub(mean).div(std), 0));
        var p1 = F.max_pool2d(F.relu(Conv(r11, 2)), new long[] { 2, 2 }, new long[] { 2, 2 });
        var r21 = F.relu(Conv(p1, 5));
        Assert.True(feats["relu1_1"].allclose(r11, 1e-5, 1e-5));
        Assert.Equal(new long[] { 1, 64, 4, 5 }, feats["pool1"].shape); // floor mode
        Assert.True(feats["relu2_1"].allclose(r21, 1e-5, 1e-5));
    }

    [Fact]
    public void AveragePoolingReplacesMaxPooling()
    {
        string path = TorchvisionPrefixFile(2);
        using var scope = NewDisposeScope();
        using var maxNet = Vgg19Features.Load(path, Vgg19Layout.Torchvision, new[] { "pool1" }, Vgg19Pooling.Max);
        using var avgNet = Vgg19Features.Load(path, Vgg19Layout.Torchvision, new[] { "pool1" }, Vgg19Pooling.Average);
        var x = rand(1, 3, 8, 8);
        var r12 = maxNet.Forward(x, new[] { "relu1_2" })["relu1_2"];
        Assert.True(avgNet.Forward(x, new[] { "pool1" })["pool1"].allclose(F.avg_pool2d(r12, new long[] { 2, 2 }, new long[] { 2, 2 }), 1e-5, 1e-5));
        Assert.True(maxNet.Forward(x, new[] { "pool1" })["pool1"].allclose(F.max_pool2d(r12, new long[] { 2, 2 }, new long[] { 2, 2 }), 1e-5, 1e-5));
    }

    [Fact]
    public void BuildsOnlyThePrefixItNeedsAndNamesMissingLayers()
    {
        string path = TorchvisionPrefixFile(3); // weights only up to conv2_1
        using var shallow = Vgg19Features.Load(path, Vgg19Layout.Torchvision, new[] { "relu1_1", "relu2_1" });
        Assert.Equal("relu2_1", shallow.LastLayer);
        var e = Assert.Throws<InvalidInputException>(() => Vgg19Features.Load(path, Vgg19Layout.Torchvision, new[] { "relu2_2" }));
        Assert.Contains("features.7.weight", e.Message);
        Assert.Contains(path, e.Message);
        Assert.Throws<ArgumentException>(() => shallow.Forward(zeros(1, 3, 8, 8), new[] { "relu3_1" }));
    }

    [Fact]
    public void RealNormalisedEncoderPreprocessesToBgrMinusImagenetMean()
    {
        string path = SharedData.Require("models/vgg19-normalised-to-conv3_1.safetensors");
        using var scope = NewDisposeScope();
        using var file = SafeTensorsFile.Open(path);
        // The 1×1 conv must map RGB 0..1 to (255·B − 103.939, 255·G − 116.779, 255·R − 123.68) (Caffe VGG convention).
        var rgb = tensor(new[] { 0.2f, 0.5f, 0.9f }).reshape(1, 3, 1, 1);
        var bgr = F.conv2d(rgb, file.ReadTensor("preprocess.weight"), file.ReadTensor("preprocess.bias")).flatten().data<float>().ToArray();
        Assert.Equal(255 * 0.9 - 103.939, bgr[0], 0.05);
        Assert.Equal(255 * 0.5 - 116.779, bgr[1], 0.05);
        Assert.Equal(255 * 0.2 - 123.68, bgr[2], 0.05);

        using var net = Vgg19Features.Load(path, Vgg19Layout.Normalised, new[] { "relu3_1" });
        var feats = net.Forward(rand(1, 3, 33, 33), new[] { "relu1_1", "relu2_1", "relu3_1" });
        Assert.Equal(new long[] { 1, 64, 33, 33 }, feats["relu1_1"].shape);
        Assert.Equal(new long[] { 1, 128, 17, 17 }, feats["relu2_1"].shape); // ceil-mode pooling as in the Torch7 original
        Assert.Equal(new long[] { 1, 256, 9, 9 }, feats["relu3_1"].shape);
        Assert.True(feats["relu3_1"].min().item<float>() >= 0);
        var e = Assert.Throws<InvalidInputException>(() => Vgg19Features.Load(path, Vgg19Layout.Normalised, new[] { "relu4_1" }));
        Assert.Contains("conv3_2", e.Message);
    }
}
