using Convolve.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace Convolve.Style;

/// <summary>
/// The costs of Gatys et al.'s style transfer, with exactly the normalisations of the issue. Activations a are
/// [1, n_C, n_H, n_W] tensors of one layer; all sums run over every element.
/// </summary>
public static class StyleLosses
{
    /// <summary>Style (Gram) matrix of activations [1,C,H,W]: G_kk' = Σᵢⱼ aᵢⱼₖ·aᵢⱼₖ' (unnormalised), shape [C,C].</summary>
    public static Tensor Gram(Tensor activations)
    {
        long c = activations.shape[1];
        using var flat = activations.reshape(c, -1);
        return flat.matmul(flat.t());
    }

    /// <summary>
    /// Guided Gram matrix (Gatys et al. 2017, "Controlling perceptual factors"): the Gram matrix of the activations
    /// weighted by a spatial guide <paramref name="guide"/> [1,1,H,W] in 0..1: G_kk' = Σᵢⱼ (mᵢⱼ·aᵢⱼₖ)(mᵢⱼ·aᵢⱼₖ').
    /// </summary>
    public static Tensor GuidedGram(Tensor activations, Tensor guide)
    {
        using var weighted = activations.mul(guide);
        return Gram(weighted);
    }

    /// <summary>Content cost J_content = 1/(4·n_H·n_W·n_C) · Σ (a⁽ᶜ⁾ − a⁽ᴳ⁾)².</summary>
    public static Tensor ContentCost(Tensor contentActivations, Tensor generatedActivations)
    {
        long n = generatedActivations.shape[1] * generatedActivations.shape[2] * generatedActivations.shape[3];
        using var diff = contentActivations.sub(generatedActivations);
        using var norm = (4.0 * n).ToScalar();   // a using local, alive through the native call (see Scalars)
        return diff.pow(Scalars.Of(2)).sum().div(norm);
    }

    /// <summary>
    /// Style cost of one layer J_style = 1/(2·n_H·n_W·n_C)² · Σₖₖ' (G⁽ˢ⁾ − G⁽ᴳ⁾)², where n_H·n_W is the
    /// <paramref name="pixels"/> count of the generated image's layer (for a guided Gram: the guide's mass Σm²).
    /// </summary>
    public static Tensor StyleLayerCost(Tensor styleGram, Tensor generatedGram, double pixels)
    {
        long c = generatedGram.shape[0];
        double norm = 2.0 * pixels * c;
        using var diff = styleGram.sub(generatedGram);
        using var normSquared = (norm * norm).ToScalar();
        return diff.pow(Scalars.Of(2)).sum().div(normSquared);
    }

    /// <summary>
    /// Rescales a style image's Gram matrix (taken over <paramref name="stylePixels"/> positions) to the number of
    /// positions it is compared over, <paramref name="targetPixels"/>: G·(target/style). This keeps the per-position
    /// statistics when the style image's size differs from the output's; with equal sizes it is the identity.
    /// </summary>
    public static Tensor MatchGramToPixels(Tensor styleGram, double stylePixels, double targetPixels)
    {
        using var ratio = (targetPixels / stylePixels).ToScalar();
        return styleGram.mul(ratio);
    }

    /// <summary>Total variation cost TV = Σᵢⱼ (xᵢ₊₁,ⱼ − xᵢⱼ)² + (xᵢ,ⱼ₊₁ − xᵢⱼ)² over all channels, pixels in 0..1, divided by the pixel count H·W.</summary>
    public static Tensor TotalVariation(Tensor image)
    {
        long h = image.shape[2], w = image.shape[3];
        using var scope = NewDisposeScope();
        var dy = image[.., .., 1.., ..].sub(image[.., .., ..^1, ..]).pow(Scalars.Of(2)).sum();
        var dx = image[.., .., .., 1..].sub(image[.., .., .., ..^1]).pow(Scalars.Of(2)).sum();
        using var pixels = ((double)(h * w)).ToScalar();
        return dy.add(dx, Scalars.One).div(pixels).MoveToOuterDisposeScope();
    }
}
