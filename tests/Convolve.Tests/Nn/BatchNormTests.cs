using Convolve.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace Convolve.Tests.Nn;

/// <summary>Our BatchNorm (kept scalars) against TorchSharp's own BatchNorm1d/2d/3d: same state names, outputs and running statistics.</summary>
public class BatchNormTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void MatchesTorchBatchNormInTrainingAndEvaluation(int dimensions)
    {
        using var scope = NewDisposeScope();
        var ours = new BatchNorm(4);
        nn.Module<Tensor, Tensor> reference = dimensions switch { 1 => nn.BatchNorm1d(4), 2 => nn.BatchNorm2d(4), _ => nn.BatchNorm3d(4) };
        Assert.Equal(reference.state_dict().Keys.Order(), ours.state_dict().Keys.Order());

        var generator = new Generator(42);
        long[] shape = [5, 4, .. Enumerable.Repeat(3L, dimensions)];
        ours.train();
        reference.train();
        for (int step = 0; step < 3; step++)
        {
            var x = randn(shape, generator: generator).mul(Scalars.Of(2.0)).add(Scalars.Of(1.5), Scalars.One);
            Assert.True(ours.forward(x).allclose(reference.forward(x), rtol: 1e-5, atol: 1e-6));
        }
        var a = ours.state_dict();
        var b = reference.state_dict();
        foreach (var key in b.Keys) Assert.True(a[key].to_type(ScalarType.Float64).allclose(b[key].to_type(ScalarType.Float64), rtol: 1e-5, atol: 1e-6), key);
        Assert.Equal(3L, a["num_batches_tracked"].item<long>());

        ours.eval();
        reference.eval();
        var y = randn(shape, generator: generator);
        Assert.True(ours.forward(y).allclose(reference.forward(y), rtol: 1e-5, atol: 1e-6));
    }
}
