using System.CommandLine;
using Convolve.Cli.Infrastructure;
using Convolve.Weights;
using Spectre.Console;

namespace Convolve.Cli.Commands;

/// <summary>
/// <c>convolve models pull vgg19</c>: downloads torchvision's ImageNet VGG19 over HTTPS (resumable, SHA-256
/// checked against what torchvision publishes), reads the PyTorch checkpoint (<see cref="TorchCheckpoint"/>) and keeps only the convolutional layers in the user model cache
/// as <c>vgg19-conv.safetensors</c>. Register it under <c>models</c> with <c>models.Subcommands.Add(ModelsPullCommand.Create())</c>.
/// </summary>
public static class ModelsPullCommand
{
    /// <summary>Builds the <c>pull</c> subcommand.</summary>
    public static Command Create()
    {
        var name = new Argument<string>("model") { Description = "The model to fetch: vgg19." };
        name.AcceptOnlyFromAmong("vgg19");
        var from = new Option<string?>("--from") { Description = "Another source: an https:// URL or a local file (.pth or safetensors, torchvision layout)." };
        var sha = new Option<string?>("--sha256") { Description = "The SHA-256 the source publishes for --from (required for URLs other than the default)." };
        var command = new Command("pull", "Download a model into the user cache (verifies its published SHA-256, resumes interrupted downloads).") { name, from, sha };
        command.SetConvolveAction(async ctx =>
        {
            string cacheDir = ModelStore.UserCacheDirectory;
            string target = Path.Combine(cacheDir, Vgg19Weights.CacheFileName);
            string? source = ctx.Parse.GetValue(from);
            string? pinned = ctx.Parse.GetValue(sha);
            if (File.Exists(target) && source is null)
            {
                ctx.Result(new { model = "vgg19", path = target, status = "present" }, c => c.MarkupLine($"VGG19 is already in the cache: {Markup.Escape(target)}"));
                return 0;
            }

            string downloaded;
            if (source is not null && File.Exists(source))
            {
                downloaded = source;
                if (pinned is not null)
                {
                    string actual = await ModelDownloader.Sha256Async(source, ctx.Cancellation);
                    if (!new PublishedChecksum(pinned).Matches(actual)) throw new InvalidInputException(source, $"SHA-256 is {actual}, expected {pinned}");
                }
            }
            else
            {
                var url = source is null ? Vgg19Weights.TorchvisionUrl : new Uri(source);
                if (source is not null && pinned is null)
                    throw new ArgumentException("--from URL needs --sha256 with the checksum the source publishes.");
                var checksum = pinned is null ? Vgg19Weights.TorchvisionChecksum : new PublishedChecksum(pinned);
                downloaded = Path.Combine(cacheDir, Path.GetFileName(url.LocalPath));
                ctx.Note($"Downloading {url} → {downloaded}" + (checksum.IsFull ? "" : $" (the source publishes the first {checksum.Sha256Hex.Length} hex digits of its SHA-256: {checksum.Sha256Hex})"));
                var downloader = new ModelDownloader();
                if (ctx.ShowProgress)
                {
                    await ctx.ErrorConsole.Progress()
                        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
                        .StartAsync(async p =>
                        {
                            var task = p.AddTask("vgg19", maxValue: 1);
                            await downloader.DownloadAsync(url, downloaded, checksum, new InlineProgress(d =>
                            {
                                if (d.TotalBytes is { } t) task.MaxValue = t;
                                task.Value = d.Bytes;
                            }), ctx.Cancellation);
                        });
                }
                else
                {
                    await downloader.DownloadAsync(url, downloaded, checksum, null, ctx.Cancellation);
                }
            }

            Directory.CreateDirectory(cacheDir);
            Vgg19Weights.KeepConvolutionsOnly(downloaded, target);
            if (!ReferenceEquals(downloaded, source)) File.Delete(downloaded);
            long size = new FileInfo(target).Length;
            ctx.Result(new { model = "vgg19", path = target, bytes = size, status = "installed" },
                c => c.MarkupLine($"[green]Installed[/] VGG19 convolutional layers ({size / 1e6:0} MB) → {Markup.Escape(target)}"));
            return 0;
        });
        return command;
    }

    private sealed class InlineProgress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }
}
