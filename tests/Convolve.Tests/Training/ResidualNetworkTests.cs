using Convolve.Nn;
using static TorchSharp.torch;

namespace Convolve.Tests.Training;

/// <summary>One residual network definition for 1D, 2D and 3D inputs.</summary>
public class ResidualNetworkTests
{
    [Theory]
    [InlineData(1, new long[] { 5, 2, 40 })]
    [InlineData(2, new long[] { 5, 3, 20, 16 })]
    [InlineData(3, new long[] { 5, 1, 10, 12, 8 })]
    public void Builds_for_each_dimension_and_outputs_unit_length_embeddings(int dims, long[] inputShape)
    {
        using var net = new ResidualNetwork(new ResidualNetworkOptions { Dimensions = dims, InputChannels = (int)inputShape[1], Width = 4, Stages = 3, BlocksPerStage = 2, EmbeddingSize = 12 });
        net.InitializeFromSeed(1);
        net.eval();
        using var x = randn(inputShape);
        using var e = net.forward(x);
        Assert.Equal(new long[] { 5, 12 }, e.shape);
        using var norms = e.norm(1);
        Assert.All(norms.data<float>().ToArray(), n => Assert.Equal(1.0, n, 5));
        string expectedConv = $"Conv{dims}d";
        Assert.Contains(net.modules(), m => m.GetType().Name == expectedConv);
        Assert.Contains(net.modules(), m => m is Convolve.Nn.BatchNorm); // one batch norm for every dimension (BatchNormTests)
        Assert.DoesNotContain(net.modules(), m => m.GetType().Name.StartsWith("Conv", StringComparison.Ordinal) && m.GetType().Name != expectedConv);
    }

    [Fact]
    public void Width_depth_and_embedding_size_set_the_parameter_shapes()
    {
        using var net = new ResidualNetwork(new ResidualNetworkOptions { Dimensions = 2, InputChannels = 3, Width = 6, Stages = 3, BlocksPerStage = 2, EmbeddingSize = 20 });
        var p = net.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter.shape);
        Assert.Equal(new long[] { 6, 3, 3, 3 }, p["stem.conv.weight"]);
        Assert.Equal(new long[] { 24, 12, 3, 3 }, p["blocks.s2b0.conv1.weight"]);   // third stage: 6·2² channels
        Assert.Equal(new long[] { 24, 12, 1, 1 }, p["blocks.s2b0.shortcut.conv.weight"]);
        Assert.False(p.ContainsKey("blocks.s0b1.shortcut.conv.weight"));             // same shape: identity shortcut
        Assert.Equal(6, p.Keys.Count(k => k.EndsWith("conv1.weight", StringComparison.Ordinal))); // 3 stages × 2 blocks
        Assert.Equal(new long[] { 20, 24 }, p["embedding.weight"]);
    }

    [Fact]
    public void Seeded_initialisation_is_reproducible_and_seed_dependent()
    {
        var options = new ResidualNetworkOptions { Dimensions = 1, InputChannels = 1, Width = 4, Stages = 2, EmbeddingSize = 8 };
        using var a = new ResidualNetwork(options);
        using var b = new ResidualNetwork(options);
        using var c = new ResidualNetwork(options);
        a.InitializeFromSeed(3); b.InitializeFromSeed(3); c.InitializeFromSeed(4);
        using var x = randn(4, 1, 32);
        a.eval(); b.eval(); c.eval();
        Assert.Equal(a.forward(x).data<float>().ToArray(), b.forward(x).data<float>().ToArray());
        Assert.NotEqual(a.forward(x).data<float>().ToArray(), c.forward(x).data<float>().ToArray());
    }
}
