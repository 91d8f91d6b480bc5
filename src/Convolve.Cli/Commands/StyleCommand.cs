using System.CommandLine;
using System.Globalization;
using Convolve.Cli.Infrastructure;
using Convolve.Imaging;
using Convolve.Models;
using Convolve.Style;
using Convolve.Weights;
using Spectre.Console;

namespace Convolve.Cli.Commands;

/// <summary><c>convolve style CONTENT STYLE... -o OUT</c>: neural style transfer (Gatys) with colour, spatial and scale controls.</summary>
public static class StyleCommand
{
    /// <summary>Cache file name of the converted torchvision VGG19 (conv layers only).</summary>
    public const string Vgg19CacheFile = Vgg19Weights.CacheFileName;

    /// <summary>Cache file name of the 'normalised' VGG19 encoder.</summary>
    public const string NormalisedCacheFile = "vgg19-normalised.safetensors";

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var images = new Argument<string[]>("images") { Description = "CONTENT then one or more STYLE images (with --texture: style images only).", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output", "-o") { Description = "Output image (.png, .jpg, .webp).", Required = true };
        var size = new Option<int>("--size") { Description = "Long side of the output in pixels.", DefaultValueFactory = _ => 512 };
        var iterations = new Option<int>("--iterations") { Description = "Optimizer iterations (per scale).", DefaultValueFactory = _ => 300 };
        var contentWeight = new Option<double>("--content-weight") { Description = "α, content weight.", DefaultValueFactory = _ => 1 };
        var styleWeight = new Option<double>("--style-weight") { Description = "β, style weight.", DefaultValueFactory = _ => 100 };
        var tvWeight = new Option<double>("--tv-weight") { Description = "Total-variation weight.", DefaultValueFactory = _ => 1 };
        var styleBlend = new Option<string?>("--style-blend") { Description = "Blend weights of the style images, e.g. 0.7,0.3." };
        var styleScale = new Option<double>("--style-scale") { Description = "Style image size relative to the output.", DefaultValueFactory = _ => 1 };
        var preserve = new Option<string?>("--preserve-colors") { Description = "Keep the content's colours: luminance or histogram." };
        preserve.AcceptOnlyFromAmong("luminance", "histogram");
        var init = new Option<string>("--init") { Description = "Start image: content, noise or an image FILE.", DefaultValueFactory = _ => "content" };
        var optimizer = new Option<string>("--optimizer") { Description = "lbfgs or adam.", DefaultValueFactory = _ => "lbfgs" };
        optimizer.AcceptOnlyFromAmong("lbfgs", "adam");
        var learningRate = new Option<double?>("--learning-rate") { Description = "Step size (default 1 for L-BFGS, 0.02 for Adam)." };
        var contentLayer = new Option<string?>("--content-layer") { Description = "Content layer (default relu4_2, or the deepest layer of a short network)." };
        var styleLayers = new Option<string?>("--style-layers") { Description = "Style layers with optional λ: relu1_1,relu2_1:0.5,… (default relu1_1…relu5_1, equal λ)." };
        var mask = new Option<string?>("--mask") { Description = "Label image: region k is where the gray level is nearest k·255/(K−1)." };
        var maskStyles = new Option<string?>("--mask-styles") { Description = "Style image number (1-based) for each mask region, darkest region first, e.g. 1,2." };
        var scales = new Option<int>("--scales") { Description = "Coarse-to-fine scales (each half the size of the next).", DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { Description = "Random seed (noise start).", DefaultValueFactory = _ => 0 };
        var weights = new Option<string?>("--weights") { Description = "VGG19 weights (safetensors, or a torchvision .pth) instead of the model cache." };
        var network = new Option<string>("--network") { Description = "vgg19 (torchvision layout) or vgg19-normalised (AdaIN/WCT encoder).", DefaultValueFactory = _ => "vgg19" };
        network.AcceptOnlyFromAmong("vgg19", "vgg19-normalised");
        var pooling = new Option<string>("--pooling") { Description = "max or avg.", DefaultValueFactory = _ => "max" };
        pooling.AcceptOnlyFromAmong("max", "avg");
        var saveEvery = new Option<int>("--save-every") { Description = "Also write OUT_iterN every N iterations.", DefaultValueFactory = _ => 0 };
        var maxMemory = new Option<string?>("--max-memory") { Description = "Refuse to run when the memory estimate exceeds this (e.g. 1G, 800M)." };
        var texture = new Option<bool>("--texture") { Description = "Texture synthesis: no content image, all images are styles." };

        var command = new Command("style", "Neural style transfer: repaint CONTENT in the style of STYLE images (Gatys et al.).")
        {
            images, output, size, iterations, contentWeight, styleWeight, tvWeight, styleBlend, styleScale, preserve, init,
            optimizer, learningRate, contentLayer, styleLayers, mask, maskStyles, scales, seed, weights, network, pooling,
            saveEvery, maxMemory, texture,
        };

        command.SetConvolveAction(ctx =>
        {
            var parse = ctx.Parse;
            bool asJson = ctx.Json;
            var cancel = ctx.Cancellation;
            try
            {
                var paths = parse.GetValue(images)!;
                bool isTexture = parse.GetValue(texture);
                if (!isTexture && paths.Length < 2) throw new ArgumentException("Give a CONTENT image and at least one STYLE image (or --texture).");
                string outPath = parse.GetValue(output)!;
                var layout = parse.GetValue(network) == "vgg19-normalised" ? Vgg19Layout.Normalised : Vgg19Layout.Torchvision;
                string weightsPath = ResolveWeights(parse.GetValue(weights), layout, ctx.Models);
                string deepest = Vgg19Features.DeepestAvailableLayer(weightsPath, layout)
                    ?? throw new InvalidInputException(weightsPath, $"holds no VGG19 convolution in the {layout} layout");

                string initText = parse.GetValue(init)!;
                var options = new StyleTransferOptions
                {
                    Size = parse.GetValue(size),
                    Iterations = parse.GetValue(iterations),
                    ContentWeight = parse.GetValue(contentWeight),
                    StyleWeight = parse.GetValue(styleWeight),
                    TvWeight = parse.GetValue(tvWeight),
                    StyleBlend = ParseList(parse.GetValue(styleBlend), "--style-blend"),
                    StyleScale = parse.GetValue(styleScale),
                    PreserveColors = parse.GetValue(preserve) switch { "luminance" => ColorPreservation.Luminance, "histogram" => ColorPreservation.Histogram, _ => ColorPreservation.None },
                    Init = initText switch { "content" => StyleInit.Content, "noise" => StyleInit.Noise, _ => StyleInit.Image },
                    InitImage = initText is "content" or "noise" ? null : ImageDecoder.Load(initText),
                    Optimizer = parse.GetValue(optimizer) == "adam" ? StyleOptimizer.Adam : StyleOptimizer.Lbfgs,
                    LearningRate = parse.GetValue(learningRate),
                    ContentLayer = parse.GetValue(contentLayer),
                    StyleLayers = ParseStyleLayers(parse.GetValue(styleLayers)),
                    Mask = parse.GetValue(mask) is { } m ? ImageDecoder.Load(m) : null,
                    MaskStyles = ParseList(parse.GetValue(maskStyles), "--mask-styles")?.Select(v => (int)v - 1).ToArray(),
                    Scales = parse.GetValue(scales),
                    Seed = parse.GetValue(seed),
                    Pooling = parse.GetValue(pooling) == "avg" ? Vgg19Pooling.Average : Vgg19Pooling.Max,
                    MaxMemoryBytes = parse.GetValue(maxMemory) is { } mm ? ParseBytes(mm) : null,
                    SaveEvery = parse.GetValue(saveEvery),
                };
                if (isTexture && options.Init == StyleInit.Content) options = options with { Init = StyleInit.Noise };
                options = options with { OnSave = (i, img) => ImageEncoder.Save(img, IntermediatePath(outPath, i)) };

                var content = isTexture ? null : ImageDecoder.Load(paths[0]);
                var styles = paths.Skip(isTexture ? 0 : 1).Select(ImageDecoder.Load).ToList();
                var layers = StyleTransfer.LayersFor(options, deepest);

                var (w, h) = StyleTransfer.OutputSize(content, options.Size);
                int last = layers.Max(Vgg19Architecture.IndexOf);
                long estimate = StyleMemoryEstimate.Estimate(w, h, last, layout, options.Optimizer);
                ctx.Note($"Output {w}×{h}, layers to {Vgg19Architecture.Layers[last].Name}, estimated peak memory {StyleMemoryEstimate.Format(estimate)}.");
                if (options.MaxMemoryBytes is { } limit && estimate > limit)
                {
                    int fits = StyleMemoryEstimate.LargestSizeWithin(limit, w, h, last, layout, options.Optimizer);
                    return Refuse(ctx, ExitCode.Failure, $"refusing to run: the estimate {StyleMemoryEstimate.Format(estimate)} exceeds --max-memory {StyleMemoryEstimate.Format(limit)}. " +
                        $"Try --size {fits} (fits the limit), or raise --max-memory.");
                }

                using var net = Vgg19Features.Load(weightsPath, layout, layers, options.Pooling);
                var transfer = new StyleTransfer(net);
                // Ctrl-C cancels ctx.Cancellation: the run stops after the current iteration and the image so far is saved.
                var result = ctx.ShowProgress
                    ? RunWithProgress(ctx.ErrorConsole, transfer, content, styles, options, cancel)
                    : transfer.Run(content, styles, options, null, cancel);
                ImageEncoder.Save(result.Image, outPath);
                ctx.Result(new Dictionary<string, object>
                    {
                        ["content_loss_start"] = result.ContentLossStart,
                        ["content_loss_end"] = result.ContentLossEnd,
                        ["style_loss_start"] = result.StyleLossStart,
                        ["style_loss_end"] = result.StyleLossEnd,
                        ["iterations"] = result.Iterations,
                        ["seconds"] = Math.Round(result.Seconds, 3),
                    }, console => console.MarkupLine($"{(result.Cancelled ? "[yellow]Stopped early[/]" : "[green]Done[/]")}: {result.Iterations} iterations in {result.Seconds:0.0} s → {Markup.Escape(outPath)} " +
                        $"(content {result.ContentLossStart:g4} → {result.ContentLossEnd:g4}, style {result.StyleLossStart:g4} → {result.StyleLossEnd:g4})"));
                return result.Cancelled ? (int)ExitCode.Canceled : 0;
            }
            catch (ArgumentException e)
            {
                return Refuse(ctx, ExitCode.Usage, e.Message);
            }
        });
        return command;
    }

    /// <summary>The weights file: <paramref name="explicitPath"/>, or the network's file in the model store; throws <see cref="ModelNotFoundException"/> (exit 4) naming both ways to get one.</summary>
    public static string ResolveWeights(string? explicitPath, Vgg19Layout layout, ModelStore store)
    {
        if (explicitPath is not null)
            return File.Exists(explicitPath) ? explicitPath : throw new InvalidInputException(explicitPath, "weights file not found");
        string file = layout == Vgg19Layout.Normalised ? NormalisedCacheFile : Vgg19CacheFile;
        return store.Find(file,
            "Style transfer needs VGG19 weights: run 'convolve models pull vgg19' to download them into the model cache, " +
            "or pass a local safetensors or torchvision .pth file with '--weights FILE'.");
    }

    private static int Refuse(CliContext ctx, ExitCode code, string message)
    {
        ctx.Error.WriteLine($"error: {message}");
        if (ctx.Json) JsonOutput.Write(ctx.Out, JsonOutput.Error(code, message));
        return (int)code;
    }

    private static StyleResult RunWithProgress(IAnsiConsole console, StyleTransfer transfer, RgbImage? content, IReadOnlyList<RgbImage> styles, StyleTransferOptions options, CancellationToken cancel)
    {
        StyleResult? result = null;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("starting", maxValue: options.IterationsPerScale?.Sum() ?? options.Iterations * options.Scales);
                var progress = new InlineProgress(p =>
                {
                    task.Value = p.Iteration;
                    task.Description = string.Format(CultureInfo.InvariantCulture,
                        "scale {0} · content {1:g3} · style {2:g3} · tv {3:g3}", p.Scale + 1, p.ContentLoss, p.StyleLoss, p.TvLoss);
                });
                result = transfer.Run(content, styles, options, progress, cancel);
                task.StopTask();
            });
        return result!;
    }

    private sealed class InlineProgress(Action<StyleProgress> report) : IProgress<StyleProgress>
    {
        public void Report(StyleProgress value) => report(value);
    }

    internal static string IntermediatePath(string output, int iteration) =>
        Path.Combine(Path.GetDirectoryName(output) ?? "", $"{Path.GetFileNameWithoutExtension(output)}_iter{iteration}{Path.GetExtension(output)}");

    internal static double[]? ParseList(string? text, string option)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        try { return text.Split(',').Select(t => double.Parse(t.Trim(), CultureInfo.InvariantCulture)).ToArray(); }
        catch (FormatException) { throw new ArgumentException($"{option}: expected comma-separated numbers, got '{text}'."); }
    }

    internal static IReadOnlyList<StyleLayer>? ParseStyleLayers(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var items = text.Split(',').Select(t => t.Trim().Split(':')).ToArray();
        var layers = items.Select(p => new StyleLayer(p[0],
            p.Length > 1 ? double.Parse(p[1], CultureInfo.InvariantCulture) : 1.0 / items.Length)).ToArray();
        foreach (var l in layers) Vgg19Architecture.IndexOf(l.Layer);
        return layers;
    }

    internal static long ParseBytes(string text)
    {
        string t = text.Trim().ToUpperInvariant().TrimEnd('B');
        long unit = t.EndsWith('G') ? 1L << 30 : t.EndsWith('M') ? 1L << 20 : t.EndsWith('K') ? 1L << 10 : 1;
        if (unit != 1) t = t[..^1];
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || v <= 0)
            throw new ArgumentException($"--max-memory: expected a size like 1G or 800M, got '{text}'.");
        return (long)(v * unit);
    }
}
