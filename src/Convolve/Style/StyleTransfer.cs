using System.Diagnostics;
using Convolve.Imaging;
using Convolve.Models;
using Convolve.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Convolve.Style;

/// <summary>
/// Neural style transfer (Gatys et al.): optimises the pixels of G to minimise
/// J(G) = α·J_content(C, G) + β·Σₗ λ⁽ˡ⁾·J_style⁽ˡ⁾(S, G) + τ·TV(G) through a fixed VGG19.
/// With no content image it synthesises a texture of the style.
/// </summary>
/// <example><code>
/// using var net = Vgg19Features.Load(weights, Vgg19Layout.Torchvision, StyleTransfer.LayersFor(options, "relu5_4"));
/// var result = new StyleTransfer(net).Run(ImageDecoder.Load("photo.jpg"), new[] { ImageDecoder.Load("starry.jpg") }, options);
/// ImageEncoder.Save(result.Image, "out.png");
/// </code></example>
public sealed class StyleTransfer
{
    private static readonly string[] GatysStyleLayers = { "relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1" };
    private readonly Vgg19Features _net;

    /// <summary>Uses <paramref name="network"/> (built up to at least the deepest layer the options name).</summary>
    public StyleTransfer(Vgg19Features network) => _net = network;

    /// <summary>The content layer the options ask for, or the default for a network ending at <paramref name="deepestLayer"/>: relu4_2 when present, else the deepest relu.</summary>
    public static string ContentLayerFor(StyleTransferOptions options, string deepestLayer)
    {
        if (options.ContentLayer is not null) return options.ContentLayer;
        int last = Vgg19Architecture.IndexOf(deepestLayer);
        if (Vgg19Architecture.IndexOf("relu4_2") <= last) return "relu4_2";
        return Vgg19Architecture.Layers.Take(last + 1).Last(l => l.Kind == Vgg19Architecture.LayerKind.Relu).Name;
    }

    /// <summary>The style layers the options ask for, or Gatys's relu1_1 … relu5_1 cut to the network's depth, with equal λ summing to 1.</summary>
    public static IReadOnlyList<StyleLayer> StyleLayersFor(StyleTransferOptions options, string deepestLayer)
    {
        if (options.StyleLayers is { Count: > 0 }) return options.StyleLayers;
        int last = Vgg19Architecture.IndexOf(deepestLayer);
        var names = GatysStyleLayers.Where(l => Vgg19Architecture.IndexOf(l) <= last).ToArray();
        if (names.Length == 0) throw new ArgumentException($"The network ends at {deepestLayer}, before relu1_1: no style layer is available.");
        return names.Select(n => new StyleLayer(n, 1.0 / names.Length)).ToArray();
    }

    /// <summary>Every layer a run with <paramref name="options"/> needs (to build the network prefix).</summary>
    public static IReadOnlyList<string> LayersFor(StyleTransferOptions options, string deepestLayer) =>
        StyleLayersFor(options, deepestLayer).Select(l => l.Layer).Append(ContentLayerFor(options, deepestLayer)).Distinct().ToArray();

    /// <summary>Output size: the content's aspect ratio with long side <see cref="StyleTransferOptions.Size"/> (square for textures).</summary>
    public static (int Width, int Height) OutputSize(RgbImage? content, int size) =>
        content is null ? (size, size) : StyleImages.FitLongSide(content.Width, content.Height, size);

    /// <summary>
    /// Runs the optimisation. <paramref name="content"/> null means texture synthesis. Stops early (and returns the
    /// current image, <see cref="StyleResult.Cancelled"/> set) when <paramref name="cancel"/> fires.
    /// </summary>
    public StyleResult Run(RgbImage? content, IReadOnlyList<RgbImage> styles, StyleTransferOptions options,
        IProgress<StyleProgress>? progress = null, CancellationToken cancel = default)
    {
        Validate(content, styles, options);
        string contentLayer = ContentLayerFor(options, _net.LastLayer);
        var styleLayers = StyleLayersFor(options, _net.LastLayer);
        var blend = NormalisedBlend(options.StyleBlend, styles.Count);
        var schedule = Schedule(options);
        int totalIterations = schedule.Sum();
        var (outW, outH) = OutputSize(content, options.Size);

        var clock = Stopwatch.StartNew();
        double? contentStart = null, styleStart = null;
        double contentEnd = 0, styleEnd = 0;
        int done = 0;
        bool cancelled = false;
        Tensor? x = null; // current image, [1,3,H,W], 0..1, outside any dispose scope
        try
        {
            for (int k = 0; k < options.Scales && !cancelled; k++)
            {
                int side = Math.Max(16, (int)Math.Round(options.Size / Math.Pow(2, options.Scales - 1 - k)));
                var (w, h) = OutputSize(content, side);
                using var scaleScope = NewDisposeScope();
                var contentT = content is null ? null : StyleImages.Resize(content, w, h).ToTensor(unitRange: true);
                var styleTs = styles.Select(s => StyleTensor(s, side, options.StyleScale, contentT, options.PreserveColors)).ToList();
                var labels = options.Mask is null ? null
                    : StyleTargets.Labels(options.Mask, options.MaskStyles?.Count ?? styles.Count, w, h);
                using var targets = StyleTargets.Build(_net, contentT, styleTs, blend, contentLayer, styleLayers, labels, options.MaskStyles, h, w);

                var start = k == 0
                    ? InitialImage(content, contentT, options, w, h)
                    : F.interpolate(x!, new long[] { h, w }, mode: InterpolationMode.Bilinear, align_corners: false);
                x?.Dispose();
                x = start.detach().clone().DetachFromDisposeScope();

                var param = new Parameter(x.clone(), requires_grad: true);
                (double Content, double Style, double Tv, double Total) last = default;
                Func<Tensor> evaluate = () =>
                {
                    var (total, c, s, tv) = Objective(param, targets, styleLayers, contentLayer, options, content is not null);
                    total.backward();
                    last = (c.item<float>(), s.item<float>(), tv.item<float>(), total.item<float>());
                    return total;
                };
                using var adam = options.Optimizer == StyleOptimizer.Adam ? new Nn.Optimizers.Adam([param], options.LearningRate ?? 0.02) : null;
                using var lbfgs = adam is null ? Lbfgs(param, options) : null;
                for (int i = 0; i < schedule[k]; i++)
                {
                    if (cancel.IsCancellationRequested) { cancelled = true; break; }
                    if (adam is not null) AdamStep(adam, evaluate);
                    else LbfgsStep(lbfgs!, evaluate);
                    done++;
                    if (contentStart is null) { contentStart = last.Content; styleStart = last.Style; }
                    progress?.Report(new StyleProgress(done, totalIterations, k, last.Content, last.Style, last.Tv, last.Total));
                    if (options.SaveEvery > 0 && options.OnSave is not null && done % options.SaveEvery == 0)
                        options.OnSave(done, ToImage(param, contentT, options, outW, outH));
                }
                x.Dispose();
                x = param.detach().clone().DetachFromDisposeScope();
                param.Dispose();

                // Final costs of this scale's image (the optimiser's last report is for the point before its last update).
                var (fc, fs) = Costs(x, targets, styleLayers, contentLayer, content is not null);
                contentEnd = fc;
                styleEnd = fs;
                contentStart ??= fc;
                styleStart ??= fs;
            }

            using var finalScope = NewDisposeScope();
            var finalContent = content is null ? null : StyleImages.Resize(content, outW, outH).ToTensor(unitRange: true);
            var image = ToImage(x!, finalContent, options, outW, outH);
            return new StyleResult(image, contentStart ?? 0, contentEnd, styleStart ?? 0, styleEnd, done, clock.Elapsed.TotalSeconds, cancelled);
        }
        finally
        {
            x?.Dispose();
        }
    }

    private static void Validate(RgbImage? content, IReadOnlyList<RgbImage> styles, StyleTransferOptions o)
    {
        if (styles.Count == 0) throw new ArgumentException("Give at least one style image.");
        if (o.Scales < 1) throw new ArgumentException("--scales must be at least 1.");
        if (o.Size < 16) throw new ArgumentException("--size must be at least 16 pixels.");
        if (o.StyleScale <= 0) throw new ArgumentException("--style-scale must be positive.");
        if (o.IterationsPerScale is not null && o.IterationsPerScale.Count != o.Scales)
            throw new ArgumentException($"IterationsPerScale has {o.IterationsPerScale.Count} entries for {o.Scales} scales.");
        if (o.StyleBlend is not null && o.StyleBlend.Count != styles.Count)
            throw new ArgumentException($"--style-blend has {o.StyleBlend.Count} weights for {styles.Count} style images.");
        if (o.Init == StyleInit.Image && o.InitImage is null) throw new ArgumentException("Init from an image needs InitImage.");
        if (o.Init == StyleInit.Content && content is null && o.Mask is null) { /* texture: content init falls back to noise */ }
        if (o.MaskStyles is not null && o.MaskStyles.Any(i => i < 0 || i >= styles.Count))
            throw new ArgumentException($"--mask-styles names a style outside 1..{styles.Count}.");
        if (o.Mask is null && o.MaskStyles is not null) throw new ArgumentException("--mask-styles needs --mask.");
        if (o.Mask is not null && o.MaskStyles is null && styles.Count < 2)
            throw new ArgumentException("A mask needs two or more regions: give several style images or --mask-styles.");
    }

    private static double[] NormalisedBlend(IReadOnlyList<double>? blend, int count)
    {
        var w = blend?.ToArray() ?? Enumerable.Repeat(1.0, count).ToArray();
        if (w.Any(v => v < 0) || w.Sum() <= 0) throw new ArgumentException("Style blend weights must be non-negative and not all zero.");
        double sum = w.Sum();
        return w.Select(v => v / sum).ToArray();
    }

    private static int[] Schedule(StyleTransferOptions o) =>
        o.IterationsPerScale?.ToArray() ?? Enumerable.Repeat(o.Iterations, o.Scales).ToArray();

    private static Tensor StyleTensor(RgbImage style, int side, double styleScale, Tensor? content, ColorPreservation preserve)
    {
        var (w, h) = StyleImages.FitLongSide(style.Width, style.Height, Math.Max(16, (int)Math.Round(side * styleScale)));
        var t = StyleImages.Resize(style, w, h).ToTensor(unitRange: true);
        return preserve == ColorPreservation.Histogram && content is not null ? ColorTransfer.MatchHistogram(t, content).clamp(Scalars.Of(0), Scalars.Of(1)) : t;
    }

    private static Tensor InitialImage(RgbImage? content, Tensor? contentT, StyleTransferOptions o, int w, int h)
    {
        switch (o.Init)
        {
            case StyleInit.Image:
                return StyleImages.Resize(o.InitImage!, w, h).ToTensor(unitRange: true);
            case StyleInit.Content when contentT is not null:
                return contentT.clone();
            default:
                using (var gen = new Generator((ulong)o.Seed))
                    return rand(new long[] { 1, 3, h, w }, generator: gen);
        }
    }

    private (Tensor Total, Tensor Content, Tensor Style, Tensor Tv) Objective(Tensor x, StyleTargets targets,
        IReadOnlyList<StyleLayer> styleLayers, string contentLayer, StyleTransferOptions o, bool hasContent)
    {
        var layers = styleLayers.Select(l => l.Layer).Append(contentLayer).Distinct().ToArray();
        var feats = _net.Forward(x, layers);
        var contentCost = hasContent ? StyleLosses.ContentCost(targets.Content!, feats[contentLayer]) : zeros(1).sum();
        var styleCost = StyleCost(feats, targets, styleLayers);
        var tv = StyleLosses.TotalVariation(x);
        using Scalar styleWeight = o.StyleWeight.ToScalar(), tvWeight = o.TvWeight.ToScalar(), contentWeight = o.ContentWeight.ToScalar(); // see Scalars
        var total = styleCost.mul(styleWeight).add(tv.mul(tvWeight), Scalars.One);
        if (hasContent) total = total.add(contentCost.mul(contentWeight), Scalars.One);
        return (total, contentCost, styleCost, tv);
    }

    // J_style = Σ_regions Σ_l λ⁽ˡ⁾ · 1/(2·n·n_C)² · Σ (G_target − G_guided)², with n = n_H·n_W (no mask) or the guide's mass Σm².
    private static Tensor StyleCost(Dictionary<string, Tensor> feats, StyleTargets targets, IReadOnlyList<StyleLayer> styleLayers)
    {
        Tensor cost = zeros(1).sum();
        foreach (var region in targets.Regions)
            foreach (var (layer, lambda) in styleLayers)
            {
                if (!region.Grams.TryGetValue(layer, out var target)) continue;
                var gram = region.Guides.TryGetValue(layer, out var guide)
                    ? StyleLosses.GuidedGram(feats[layer], guide)
                    : StyleLosses.Gram(feats[layer]);
                using var weight = lambda.ToScalar();   // a using local, alive through the native call (see Scalars)
                cost = cost.add(StyleLosses.StyleLayerCost(target, gram, region.Mass[layer]).mul(weight), Scalars.One);
            }
        return cost;
    }

    private (double Content, double Style) Costs(Tensor x, StyleTargets targets, IReadOnlyList<StyleLayer> styleLayers, string contentLayer, bool hasContent)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var layers = styleLayers.Select(l => l.Layer).Append(contentLayer).Distinct().ToArray();
        var feats = _net.Forward(x, layers);
        double c = hasContent ? StyleLosses.ContentCost(targets.Content!, feats[contentLayer]).item<float>() : 0;
        return (c, StyleCost(feats, targets, styleLayers).item<float>());
    }

    // One function evaluation per step so that each step is one reported iteration; history kept across steps.
    private static optim.Optimizer Lbfgs(Parameter p, StyleTransferOptions o) =>
        optim.LBFGS(new[] { p }, lr: o.LearningRate ?? 1.0, max_iter: 1, max_eval: 2,
            tolerange_grad: 1e-9, tolerance_change: 1e-12, history_size: StyleMemoryEstimate.LbfgsHistory);

    private static void AdamStep(Nn.Optimizers.Adam adam, Func<Tensor> evaluate)
    {
        using var stepScope = NewDisposeScope();
        adam.ZeroGrad();
        evaluate();
        adam.Step();
    }

    // Every step runs in its own dispose scope. L-BFGS traps (see docs): the closure returns a detached loss moved
    // to the step's scope (the native step keeps what it returns alive), and never throws (that aborts the process):
    // an exception is caught inside and rethrown after the step. TorchSharp's L-BFGS makes implicit scalars inside
    // step() that a collection could free mid-call (docs/torchsharp.md), so the step runs in a no-GC region.
    private static void LbfgsStep(optim.Optimizer optimizer, Func<Tensor> evaluate)
    {
        using var stepScope = NewDisposeScope();
        Exception? failure = null;
        Tensor Closure()
        {
            using var closureScope = NewDisposeScope();
            try
            {
                optimizer.zero_grad();
                return evaluate().detach().MoveToOuterDisposeScope();
            }
            catch (Exception e)
            {
                failure ??= e;
                return zeros(1).sum().MoveToOuterDisposeScope();
            }
        }
        NoGcRegion.Run(() => optimizer.step(Closure));
        if (failure is not null) throw new InvalidOperationException("Style transfer failed during an L-BFGS step: " + failure.Message, failure);
    }

    private static RgbImage ToImage(Tensor x, Tensor? content, StyleTransferOptions o, int outW, int outH)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var img = x.detach();
        if (img.shape[2] != outH || img.shape[3] != outW)
            img = F.interpolate(img, new long[] { outH, outW }, mode: InterpolationMode.Bilinear, align_corners: false);
        img = img.clamp(Scalars.Of(0), Scalars.Of(1));
        if (o.PreserveColors == ColorPreservation.Luminance && content is not null)
        {
            var c = content.shape[2] == outH && content.shape[3] == outW ? content
                : F.interpolate(content, new long[] { outH, outW }, mode: InterpolationMode.Bilinear, align_corners: false);
            img = ColorTransfer.KeepContentChrominance(img, c).clamp(Scalars.Of(0), Scalars.Of(1));
        }
        return RgbImage.FromTensor(img, unitRange: true);
    }
}
