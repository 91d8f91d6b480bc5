using Convolve.Imaging;
using Convolve.Models;
using Convolve.Nn;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Convolve.Style;

/// <summary>
/// What the generated image is compared against at one scale: the content activations and, for every style
/// region (the whole image when there is no mask), the target Gram matrix per style layer and the region's guide.
/// </summary>
internal sealed class StyleTargets : IDisposable
{
    public sealed record Region(Dictionary<string, Tensor> Guides, Dictionary<string, double> Mass, Dictionary<string, Tensor> Grams);

    public Tensor? Content { get; private init; }
    public List<Region> Regions { get; } = new();

    /// <summary>Encodes the content and style images at this scale. Tensors are detached from any dispose scope; <see cref="Dispose"/> frees them.</summary>
    public static StyleTargets Build(Vgg19Features net, Tensor? content, IReadOnlyList<Tensor> styles, IReadOnlyList<double> blend,
        string contentLayer, IReadOnlyList<StyleLayer> styleLayers, Tensor? labels, IReadOnlyList<int>? regionStyles, long height, long width)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var layers = styleLayers.Select(l => l.Layer).ToArray();
        Tensor? contentTarget = null;
        if (content is not null)
            contentTarget = net.Forward(content, new[] { contentLayer })[contentLayer].detach().clone().DetachFromDisposeScope();
        var targets = new StyleTargets { Content = contentTarget };

        // Per style image and layer: its Gram and the number of positions it was taken over.
        var styleGrams = styles.Select(s =>
        {
            var feats = net.Forward(s, layers);
            return layers.ToDictionary(l => l, l => (Gram: StyleLosses.Gram(feats[l]), Pixels: (double)(feats[l].shape[2] * feats[l].shape[3])));
        }).ToList();
        var (lh, lw) = LayerSizes(net, layers, height, width);

        if (labels is null)
        {
            var region = new Region(new(), new(), new());
            foreach (var l in layers)
            {
                double pixels = lh[l] * lw[l];
                Tensor target = zeros_like(styleGrams[0][l].Gram);
                for (int s = 0; s < styles.Count; s++)
                {
                    using var weight = blend[s].ToScalar();   // a using local, alive through the native call (see Scalars)
                    target = target.add(StyleLosses.MatchGramToPixels(styleGrams[s][l].Gram, styleGrams[s][l].Pixels, pixels).mul(weight), Scalars.One);
                }
                region.Grams[l] = target.DetachFromDisposeScope();
                region.Mass[l] = pixels;
            }
            targets.Regions.Add(region);
            return targets;
        }

        // Guided Gram matrices: one-hot region guides, area-downsampled to each layer's resolution.
        int regions = (int)labels.shape[1];
        for (int r = 0; r < regions; r++)
        {
            int styleIndex = regionStyles?[r] ?? r;
            var region = new Region(new(), new(), new());
            foreach (var l in layers)
            {
                var guide = F.interpolate(labels[.., r..(r + 1)], new long[] { lh[l], lw[l] }, mode: InterpolationMode.Area);
                double mass = guide.pow(Scalars.Of(2)).sum().item<float>();
                if (mass < 1e-6) continue;
                region.Guides[l] = guide.DetachFromDisposeScope();
                region.Mass[l] = mass;
                var (gram, pixels) = styleGrams[styleIndex][l];
                region.Grams[l] = StyleLosses.MatchGramToPixels(gram, pixels, mass).DetachFromDisposeScope();
            }
            targets.Regions.Add(region);
        }
        return targets;
    }

    /// <summary>Splits a label image into K one-hot region channels [1,K,H,W] by nearest gray level k·255/(K−1).</summary>
    public static Tensor Labels(RgbImage mask, int regions, int width, int height)
    {
        var resized = StyleImages.ResizeNearest(mask, width, height);
        var onehot = new float[regions * width * height];
        int plane = width * height;
        for (int i = 0; i < plane; i++)
        {
            double gray = 0.299 * resized.Pixels[3 * i] + 0.587 * resized.Pixels[3 * i + 1] + 0.114 * resized.Pixels[3 * i + 2];
            int k = regions == 1 ? 0 : (int)Math.Round(gray / 255.0 * (regions - 1));
            onehot[Math.Clamp(k, 0, regions - 1) * plane + i] = 1f;
        }
        return tensor(onehot, new long[] { 1, regions, height, width });
    }

    private static (Dictionary<string, long>, Dictionary<string, long>) LayerSizes(Vgg19Features net, string[] layers, long height, long width)
    {
        using var probe = zeros(1, 3, height, width);
        var feats = net.Forward(probe, layers);
        return (layers.ToDictionary(l => l, l => feats[l].shape[2]), layers.ToDictionary(l => l, l => feats[l].shape[3]));
    }

    public void Dispose()
    {
        Content?.Dispose();
        foreach (var r in Regions)
        {
            foreach (var t in r.Guides.Values) t.Dispose();
            foreach (var t in r.Grams.Values) t.Dispose();
        }
    }
}
