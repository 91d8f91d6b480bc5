using System.CommandLine;
using Convolve.Cli.Infrastructure;
using Convolve.Imaging;
using Spectre.Console;

namespace Convolve.Cli.Commands;

/// <summary><c>convolve images</c>: check that images decode, before a long run over them.</summary>
public static class ImagesCommand
{
    /// <summary>The <c>images</c> command group.</summary>
    public static Command Create()
    {
        var inputs = new Argument<string[]>("inputs") { Description = "Image files, folders or globs (e.g. 'photos/**/*.jpg').", Arity = ArgumentArity.OneOrMore };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "List folders with their subfolders." };
        var maxPixels = new Option<long>("--max-pixels")
        {
            Description = "Refuse images with more pixels than this (decompression-bomb guard).",
            DefaultValueFactory = _ => ImageDecodeOptions.DefaultMaxPixels,
        };
        var check = new Command("check", "Decode every image fully and report its format and upright size; bad files are listed and skipped (exit 3 when any).")
        {
            inputs, recursive, maxPixels,
        };
        check.SetConvolveAction(ctx => Check(ctx, ctx.Parse.GetValue(inputs)!, ctx.Parse.GetValue(recursive), ctx.Parse.GetValue(maxPixels)));
        var images = new Command("images", "Image files: check that they decode.");
        images.Subcommands.Add(check);
        return images;
    }

    private static int Check(CliContext ctx, string[] inputs, bool recursive, long maxPixels)
    {
        var files = ImageInputs.Expand(inputs, recursive);
        var options = new ImageDecodeOptions { MaxPixels = maxPixels };
        var result = BatchRunner.Run(ctx, files, (file, _) =>
        {
            var image = ImageDecoder.Load(file, options);
            var info = ImageDecoder.ReadInfo(file);
            return new { format = info.Format, width = image.Width, height = image.Height, orientation = info.Orientation, frames = info.FrameCount };
        }, "Decoding");

        ctx.Result(
            new
            {
                images = result.Done.Select(d => new { path = d.Path, d.Result.format, d.Result.width, d.Result.height, d.Result.orientation, d.Result.frames }),
                failed = result.Failed.Select(f => new { path = f.Path, error = f.Error }),
                summary = result.Summary,
            },
            console =>
            {
                foreach (var d in result.Done)
                    console.WriteLine($"{d.Path}\t{d.Result.format}\t{d.Result.width}x{d.Result.height}" +
                        (d.Result.orientation == ImageOrientation.TopLeft ? "" : $"\tEXIF {d.Result.orientation}") +
                        (d.Result.frames > 1 ? $"\t{d.Result.frames} frames (first used)" : ""));
            });
        return (int)result.ExitCode;
    }
}
