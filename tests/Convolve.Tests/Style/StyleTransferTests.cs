using Convolve.Imaging;
using Convolve.Models;
using Convolve.Style;
using static TorchSharp.torch;

namespace Convolve.Tests.Style;

/// <summary>
/// Style transfer with the real VGG19 encoder from ../shared (layers up to relu3_1), on small images so each test
/// takes seconds. Single-threaded: on a shared, oversubscribed machine libtorch's 2-thread OpenMP runs ~15× slower.
/// </summary>
public class StyleTransferTests
{
    private const string Encoder = "models/vgg19-normalised-to-conv3_1.safetensors";

    private static (Vgg19Features Net, RgbImage Content, RgbImage Starry, RgbImage Scream) Inputs(StyleTransferOptions o)
    {
        set_num_threads(1);
        string weights = SharedData.Require(Encoder);
        var net = Vgg19Features.Load(weights, Vgg19Layout.Normalised, StyleTransfer.LayersFor(o, "relu3_1"));
        return (net,
            ImageDecoder.Load(SharedData.Require("data/style/content/tubingen.jpg")),
            ImageDecoder.Load(SharedData.Require("data/style/style/starry_night.jpg")),
            ImageDecoder.Load(SharedData.Require("data/style/style/the_scream.jpg")));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void At128PxStyleCostDropsTenfoldWhileContentStaysBelowNoiseStart()
    {
        var o = new StyleTransferOptions { Size = 128, Iterations = 25, StyleWeight = 10, TvWeight = 0, Init = StyleInit.Content };
        var (net, content, starry, _) = Inputs(o);
        using var _n = net;
        var run = new StyleTransfer(net).Run(content, new[] { starry }, o, null, Ct);
        var noiseStart = new StyleTransfer(net).Run(content, new[] { starry }, o with { Init = StyleInit.Noise, Iterations = 0 }, null, Ct);

        Assert.Equal(25, run.Iterations);
        Assert.Equal(0, run.ContentLossStart, 6); // content start: G = C
        Assert.True(run.StyleLossEnd * 10 <= run.StyleLossStart, $"style {run.StyleLossStart} -> {run.StyleLossEnd}");
        Assert.True(run.ContentLossEnd < noiseStart.ContentLossStart, $"content {run.ContentLossEnd} vs noise start {noiseStart.ContentLossStart}");
        Assert.Equal((128, 96), (run.Image.Width, run.Image.Height)); // tubingen is 1024×768: long side 128
    }

    [Fact]
    public void AdamOptimiserLowersTheStyleCostTenfold()
    {
        // Adam runs on our scalar-safe optimiser (Nn/Optimizers), not TorchSharp's.
        var o = new StyleTransferOptions { Size = 96, Iterations = 30, StyleWeight = 10, TvWeight = 0, Init = StyleInit.Content, Optimizer = StyleOptimizer.Adam };
        var (net, content, starry, _) = Inputs(o);
        using var _n = net;
        var run = new StyleTransfer(net).Run(content, new[] { starry }, o, null, Ct);
        Assert.Equal(30, run.Iterations);
        Assert.True(run.StyleLossEnd * 10 <= run.StyleLossStart, $"style {run.StyleLossStart} -> {run.StyleLossEnd}");
    }

    private static (double I, double Q) MeanAbsChromaDiff(RgbImage a, RgbImage b)
    {
        using var scope = NewDisposeScope();
        var ya = ColorTransfer.RgbToYiq(a.ToTensor(unitRange: true));
        var yb = ColorTransfer.RgbToYiq(b.ToTensor(unitRange: true));
        var d = ya.sub(yb).abs().mean(new long[] { 0, 2, 3 }).data<float>().ToArray();
        return (d[1], d[2]);
    }

    private static (double I, double Q) MeanChroma(RgbImage a)
    {
        using var scope = NewDisposeScope();
        var m = ColorTransfer.RgbToYiq(a.ToTensor(unitRange: true)).mean(new long[] { 0, 2, 3 }).data<float>().ToArray();
        return (m[1], m[2]);
    }

    [Fact]
    public void ColourPreservationKeepsTheContentsChrominance()
    {
        var o = new StyleTransferOptions { Size = 64, Iterations = 15, StyleWeight = 100, TvWeight = 0 };
        var (net, content, _, scream) = Inputs(o);
        using var _n = net;
        var st = new StyleTransfer(net);
        var plain = st.Run(content, new[] { scream }, o, null, Ct).Image;
        var luminance = st.Run(content, new[] { scream }, o with { PreserveColors = ColorPreservation.Luminance }, null, Ct).Image;
        var histogram = st.Run(content, new[] { scream }, o with { PreserveColors = ColorPreservation.Histogram }, null, Ct).Image;
        var c = StyleImages.Resize(content, plain.Width, plain.Height);

        // Luminance-only transfer: I and Q are the content's, up to 8-bit rounding and clamping.
        var lum = MeanAbsChromaDiff(luminance, c);
        var pl = MeanAbsChromaDiff(plain, c);
        Assert.True(lum.I < 0.01 && lum.Q < 0.01, $"luminance mode chroma diff {lum}");
        Assert.True(pl.I + pl.Q > 5 * (lum.I + lum.Q), $"plain {pl} vs luminance {lum}");

        // Histogram matching: the mean chrominance moves to the content's (the Scream's orange cast disappears).
        var mc = MeanChroma(c);
        var mh = MeanChroma(histogram);
        var mp = MeanChroma(plain);
        double dh = Math.Abs(mh.I - mc.I) + Math.Abs(mh.Q - mc.Q), dp = Math.Abs(mp.I - mc.I) + Math.Abs(mp.Q - mc.Q);
        Assert.True(dh < dp / 2, $"histogram mode mean-chroma distance {dh} vs plain {dp}");
    }

    [Fact]
    public void MaskConfinesEachStyleToItsRegion()
    {
        // Texture synthesis with a two-region mask: left half (black) ← Starry Night, right half (white) ← The Scream.
        var o = new StyleTransferOptions { Size = 64, Iterations = 30, StyleWeight = 100, TvWeight = 0, Init = StyleInit.Noise, Seed = 3 };
        var (net, _, starry, scream) = Inputs(o);
        using var _n = net;
        var mask = new byte[64 * 64 * 3];
        for (int y = 0; y < 64; y++) for (int x = 32; x < 64; x++) mask.AsSpan((y * 64 + x) * 3, 3).Fill(255);
        var result = new StyleTransfer(net).Run(null, new[] { starry, scream }, o with { Mask = new RgbImage(64, 64, mask) }, null, Ct);

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        string[] layers = { "relu1_1", "relu2_1", "relu3_1" };
        // Per-position Gram statistics (G / positions) of each half of the output and of each style image.
        Dictionary<string, Tensor> Stats(Tensor img) => net.Forward(img, layers).ToDictionary(kv => kv.Key,
            kv => StyleLosses.Gram(kv.Value).div(kv.Value.shape[2] * kv.Value.shape[3]));
        var output = result.Image.ToTensor(unitRange: true);
        var left = Stats(output[.., .., .., ..32]);
        var right = Stats(output[.., .., .., 32..]);
        var sStarry = Stats(StyleImages.Resize(starry, 64, 51).ToTensor(unitRange: true));
        var sScream = Stats(StyleImages.Resize(scream, 51, 64).ToTensor(unitRange: true));
        double D(Dictionary<string, Tensor> a, Dictionary<string, Tensor> b) =>
            layers.Sum(l => a[l].sub(b[l]).norm().item<float>() / b[l].norm().item<float>());

        Assert.True(D(left, sStarry) < D(left, sScream), $"left: starry {D(left, sStarry)} scream {D(left, sScream)}");
        Assert.True(D(right, sScream) < D(right, sStarry), $"right: scream {D(right, sScream)} starry {D(right, sStarry)}");
    }

    [Fact]
    public void SameSeedGivesSameBytesAndAnotherSeedDiffers()
    {
        var o = new StyleTransferOptions { Size = 40, Iterations = 4, Init = StyleInit.Noise, Seed = 11 };
        var (net, content, starry, _) = Inputs(o);
        using var _n = net;
        var st = new StyleTransfer(net);
        var a = st.Run(content, new[] { starry }, o, null, Ct).Image.Pixels;
        var b = st.Run(content, new[] { starry }, o, null, Ct).Image.Pixels;
        var c = st.Run(content, new[] { starry }, o with { Seed = 12 }, null, Ct).Image.Pixels;
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void MultiScaleBlendAndCancellationWork()
    {
        var o = new StyleTransferOptions { Size = 64, Scales = 2, IterationsPerScale = new[] { 6, 3 }, StyleWeight = 10, StyleBlend = new[] { 3.0, 1.0 } };
        var (net, content, starry, scream) = Inputs(o);
        using var _n = net;
        var progress = new List<StyleProgress>();
        var run = new StyleTransfer(net).Run(content, new[] { starry, scream }, o, new SyncProgress(progress), Ct);
        Assert.Equal(9, run.Iterations);
        Assert.Equal(new[] { 0, 0, 0, 0, 0, 0, 1, 1, 1 }, progress.Select(p => p.Scale));
        Assert.Equal((64, 48), (run.Image.Width, run.Image.Height));
        Assert.True(run.StyleLossEnd < run.StyleLossStart);

        using var cts = new CancellationTokenSource();
        var cancelled = new StyleTransfer(net).Run(content, new[] { starry }, o with { Scales = 1, IterationsPerScale = null, Iterations = 50, StyleBlend = null },
            new SyncProgress(new List<StyleProgress>(), p => { if (p.Iteration == 2) cts.Cancel(); }), cts.Token);
        Assert.True(cancelled.Cancelled);
        Assert.Equal(2, cancelled.Iterations);
        Assert.Equal((64, 48), (cancelled.Image.Width, cancelled.Image.Height));
    }

    private sealed class SyncProgress(List<StyleProgress> sink, Action<StyleProgress>? also = null) : IProgress<StyleProgress>
    {
        public void Report(StyleProgress value) { sink.Add(value); also?.Invoke(value); }
    }
}
