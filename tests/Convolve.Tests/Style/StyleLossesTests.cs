using Convolve.Style;
using static TorchSharp.torch;

namespace Convolve.Tests.Style;

/// <summary>Gram matrix and costs against values computed by hand, and a finite-difference gradient check.</summary>
public class StyleLossesTests
{
    // Activations a[1, n_C=2, n_H=2, n_W=2]: channel 0 = [1 2; 3 4], channel 1 = [0 1; -1 2].
    private static Tensor A() => tensor(new float[] { 1, 2, 3, 4, 0, 1, -1, 2 }, new long[] { 1, 2, 2, 2 });

    [Fact]
    public void GramIsSumOfChannelProducts()
    {
        using var g = StyleLosses.Gram(A());
        // G00 = 1+4+9+16 = 30; G01 = 0+2-3+8 = 7; G11 = 0+1+1+4 = 6.
        Assert.Equal(new float[] { 30, 7, 7, 6 }, g.data<float>().ToArray());
    }

    [Fact]
    public void GuidedGramWeightsPositionsByTheGuide()
    {
        using var guide = tensor(new float[] { 1, 0, 0, 1 }, new long[] { 1, 1, 2, 2 });
        using var g = StyleLosses.GuidedGram(A(), guide);
        // Only positions (0,0) and (1,1): G00 = 1+16 = 17; G01 = 0+8 = 8; G11 = 0+4 = 4.
        Assert.Equal(new float[] { 17, 8, 8, 4 }, g.data<float>().ToArray());
    }

    [Fact]
    public void ContentCostMatchesHandValue()
    {
        using var c = A();
        using var g = zeros(1, 2, 2, 2);
        using var cost = StyleLosses.ContentCost(c, g);
        // Σa² = 30 + 6 = 36; 1/(4·2·2·2) · 36 = 1.125.
        Assert.Equal(1.125f, cost.item<float>(), 6);
    }

    [Fact]
    public void StyleLayerCostMatchesHandValue()
    {
        using var gs = StyleLosses.Gram(A());
        using var gg = zeros(2, 2);
        using var cost = StyleLosses.StyleLayerCost(gs, gg, pixels: 4);
        // Σ G² = 900 + 49 + 49 + 36 = 1034; (2·n_H·n_W·n_C)² = (2·4·2)² = 256; 1034/256.
        Assert.Equal(1034f / 256f, cost.item<float>(), 5);
    }

    [Fact]
    public void TotalVariationMatchesHandValue()
    {
        // One channel per colour, 2×2: [1 2; 3 4] in every channel → per channel dy² = 4+4, dx² = 1+1 → 10; ×3 = 30; / (H·W=4).
        using var x = tensor(new float[] { 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4 }, new long[] { 1, 3, 2, 2 });
        using var tv = StyleLosses.TotalVariation(x);
        Assert.Equal(7.5f, tv.item<float>(), 6);
    }

    [Fact]
    public void GramRescalingKeepsPerPositionStatistics()
    {
        using var g = StyleLosses.Gram(A());
        using var scaled = StyleLosses.MatchGramToPixels(g, stylePixels: 4, targetPixels: 16);
        Assert.Equal(new float[] { 120, 28, 28, 24 }, scaled.data<float>().ToArray());
    }

    [Fact]
    public void GradientOfJWithRespectToGMatchesFiniteDifferences()
    {
        // J(G) = α·J_content + β·J_style + τ·TV through a fixed random conv + ReLU, in float64.
        using var scope = NewDisposeScope();
        var gen = new Generator(7);
        var w = randn(new long[] { 4, 3, 3, 3 }, dtype: ScalarType.Float64, generator: gen);
        var contentImage = rand(new long[] { 1, 3, 5, 6 }, dtype: ScalarType.Float64, generator: gen);
        var styleImage = rand(new long[] { 1, 3, 5, 6 }, dtype: ScalarType.Float64, generator: gen);
        Tensor Features(Tensor x) => nn.functional.relu(nn.functional.conv2d(x, w, padding: new long[] { 1, 1 }));
        var aC = Features(contentImage);
        var gS = StyleLosses.Gram(Features(styleImage));
        double J(Tensor g)
        {
            var a = Features(g);
            var total = StyleLosses.ContentCost(aC, a).mul(1.0)
                .add(StyleLosses.StyleLayerCost(gS, StyleLosses.Gram(a), 30).mul(10.0))
                .add(StyleLosses.TotalVariation(g).mul(0.5));
            return total.item<double>();
        }

        var g0 = rand(new long[] { 1, 3, 5, 6 }, dtype: ScalarType.Float64, generator: gen).requires_grad_(true);
        var aG = Features(g0);
        var loss = StyleLosses.ContentCost(aC, aG).mul(1.0)
            .add(StyleLosses.StyleLayerCost(gS, StyleLosses.Gram(aG), 30).mul(10.0))
            .add(StyleLosses.TotalVariation(g0).mul(0.5));
        loss.backward();
        var analytic = g0.grad!.flatten().data<double>().ToArray();

        const double h = 1e-6;
        var basis = g0.detach().flatten();
        for (int i = 0; i < basis.shape[0]; i += 7)
        {
            var plus = basis.clone(); plus[i] = plus[i].add(h);
            var minus = basis.clone(); minus[i] = minus[i].sub(h);
            double numeric = (J(plus.reshape(1, 3, 5, 6)) - J(minus.reshape(1, 3, 5, 6))) / (2 * h);
            Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-6 + 1e-5 * Math.Abs(numeric), $"element {i}: numeric {numeric}, autograd {analytic[i]}");
        }
    }
}
