using Convolve.Models;
using Convolve.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Convolve.Tests.Models;

/// <summary>
/// Making the pretrained face network trainable: freezing all but the last N of its 16 units gives exactly the
/// parameter tensors counted by hand, and backpropagation through its in-place operations (mul_, add_, relu_) agrees
/// with central finite differences in float64.
/// </summary>
public sealed class FaceRecognitionNetFineTuneTests
{
    private static FaceRecognitionNet LoadNet() => FaceRecognitionNet.Load(new ModelStore(SharedData.RequireFaceModels()));

    [Fact]
    public void FreezingLeavesExactlyTheLastBlocksTrainable()
    {
        using var net = LoadNet();
        var names = net.named_parameters().Select(p => p.name).ToList();
        // By hand: conv32_down is one conv layer (filters, bias, scale, shift = 4 tensors), each of the 14 residual
        // or down blocks has two (8 tensors), fc is one matrix: 4 + 14·8 + 1 = 117.
        Assert.Equal(117, names.Count);
        Assert.Equal(FaceRecognitionNet.BlockNames.ToHashSet(), names.Select(n => n.Split('.')[0]).ToHashSet());
        Assert.Equal(0, net.TrainableBlocks);
        Assert.DoesNotContain(net.parameters(), p => p.requires_grad);

        var expected = new Dictionary<int, int> { [1] = 1, [2] = 9, [3] = 17, [15] = 1 + 14 * 8, [16] = 117, [0] = 0 };
        foreach (var (blocks, tensors) in expected)
        {
            net.SetTrainableBlocks(blocks);
            var trainable = net.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name.Split('.')[0]).ToHashSet();
            Assert.Equal(tensors, net.parameters().Count(p => p.requires_grad));
            Assert.Equal(FaceRecognitionNet.BlockNames.Skip(FaceRecognitionNet.BlockCount - blocks).ToHashSet(), trainable);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => net.SetTrainableBlocks(17));
    }

    [Fact]
    public void BackpropagationThroughTheInPlaceOpsMatchesFiniteDifferences()
    {
        using var net = LoadNet();
        net.SetTrainableBlocks(FaceRecognitionNet.BlockCount);
        net.to(ScalarType.Float64);
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        var x = rand(new long[] { 2, 3, 150, 150 }, ScalarType.Float64, generator: generator).sub_(0.5);
        var w = randn(new long[] { 2, 128 }, ScalarType.Float64, generator: generator);
        double Loss() { using var noGrad = no_grad(); return net.forward(x).mul(w).sum().item<double>(); }

        net.zero_grad();
        net.forward(x).mul(w).sum().backward();

        var parameters = net.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.All(parameters.Values, p => Assert.Equal(ScalarType.Float64, p.dtype));
        // A tensor of the first unit, a scale of a residual block (the in-place mul_), a conv of a later block, the last
        // down block and fc; in each, the element with the largest gradient (so the check is never about a dead unit).
        string[] names = ["conv32_down.weight", "conv32_down.shift", "conv64_2.conv1.scale", "conv128_1.conv2.weight", "conv256_down_out.conv1.bias", "fc"];
        var probes = names.Select(n =>
        {
            var g = parameters[n].grad!;
            long flat = g.abs().flatten().argmax().item<long>();
            var index = new long[g.dim()];
            for (int d = (int)g.dim() - 1; d >= 0; d--) { index[d] = flat % g.shape[d]; flat /= g.shape[d]; }
            return (Name: n, Index: index);
        }).ToList();
        foreach (var (name, index) in probes)
        {
            var p = parameters[name];
            double analytic = p.grad![index].item<double>();
            // Small step: with 1e-5 a few of the ~10⁵ ReLU and max-pool kinks are crossed and the difference is off by 0.2 %.
            const double eps = 1e-7;
            double original = p[index].item<double>();
            using (no_grad()) p[index] = tensor(original + eps, ScalarType.Float64);
            double up = Loss();
            using (no_grad()) p[index] = tensor(original - eps, ScalarType.Float64);
            double down = Loss();
            using (no_grad()) p[index] = tensor(original, ScalarType.Float64);
            double numeric = (up - down) / (2 * eps);
            Assert.True(Math.Abs(analytic - numeric) <= 1e-6 + 1e-5 * Math.Abs(numeric), $"{name}{string.Join(",", index)}: backprop {analytic}, finite difference {numeric}");
            Assert.True(analytic != 0, $"{name}: zero gradient (dead unit?), the check would prove nothing");
        }
    }
}
