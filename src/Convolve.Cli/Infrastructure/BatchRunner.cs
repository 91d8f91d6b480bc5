using Spectre.Console;

namespace Convolve.Cli.Infrastructure;

/// <summary>A file a batch skipped, and why.</summary>
/// <param name="Path">The file.</param>
/// <param name="Error">The problem, as the user sees it.</param>
public sealed record BatchFailure(string Path, string Error);

/// <summary>A file a batch handled, and what came of it.</summary>
/// <typeparam name="T">The per-file result.</typeparam>
/// <param name="Path">The file.</param>
/// <param name="Result">What the work returned.</param>
public sealed record BatchItem<T>(string Path, T Result);

/// <summary>The outcome of <see cref="BatchRunner.Run{T}"/>.</summary>
/// <typeparam name="T">The per-file result.</typeparam>
public sealed class BatchResult<T>
{
    internal BatchResult(int total, IReadOnlyList<BatchItem<T>> done, IReadOnlyList<BatchFailure> failed, bool canceled)
    {
        Total = total;
        Done = done;
        Failed = failed;
        Canceled = canceled;
    }

    /// <summary>Files given to the batch.</summary>
    public int Total { get; }

    /// <summary>Files handled, in input order.</summary>
    public IReadOnlyList<BatchItem<T>> Done { get; }

    /// <summary>Files skipped because they were bad, in input order.</summary>
    public IReadOnlyList<BatchFailure> Failed { get; }

    /// <summary>True when Ctrl-C stopped the batch before every file was tried.</summary>
    public bool Canceled { get; }

    /// <summary>130 when canceled, 3 when any file was bad, else 0.</summary>
    public ExitCode ExitCode => Canceled ? ExitCode.Canceled : Failed.Count > 0 ? ExitCode.BadInput : ExitCode.Done;

    /// <summary>The summary for JSON output: <c>{"total", "done", "failed", "canceled"}</c>.</summary>
    public object Summary => new { total = Total, done = Done.Count, failed = Failed.Count, canceled = Canceled };

    /// <summary>The one-line summary for people.</summary>
    public string SummaryLine =>
        $"{Total} file{(Total == 1 ? "" : "s")}: {Done.Count} done, {Failed.Count} failed" +
        (Canceled ? $", {Total - Done.Count - Failed.Count} not tried (canceled)" : "") + ".";
}

/// <summary>
/// Runs one piece of work per file: shows a progress bar on an interactive terminal, reports a bad file on stderr and
/// goes on with the next, stops cleanly between files on Ctrl-C, and ends with a summary on stderr. Only
/// <see cref="InvalidInputException"/> counts as a bad file; any other error (a missing model, a bug) stops the batch.
/// </summary>
public static class BatchRunner
{
    /// <summary>Runs <paramref name="work"/> on each of <paramref name="files"/> in order.</summary>
    public static BatchResult<T> Run<T>(CliContext ctx, IReadOnlyList<string> files, Func<string, CancellationToken, T> work, string description = "Processing")
    {
        var done = new List<BatchItem<T>>();
        var failed = new List<BatchFailure>();
        bool canceled = false;

        void Each(Action<string>? advanced)
        {
            foreach (var file in files)
            {
                if (ctx.Cancellation.IsCancellationRequested)
                {
                    canceled = true;
                    return;
                }
                try
                {
                    done.Add(new BatchItem<T>(file, work(file, ctx.Cancellation)));
                }
                catch (InvalidInputException e)
                {
                    failed.Add(new BatchFailure(file, e.Message));
                    if (ctx.ShowProgress) ctx.ErrorConsole.MarkupLineInterpolated($"[yellow]skipped[/] {e.Message}");
                    else ctx.Note($"skipped {e.Message}");
                }
                catch (OperationCanceledException) when (ctx.Cancellation.IsCancellationRequested)
                {
                    canceled = true;
                    return;
                }
                advanced?.Invoke(file);
            }
        }

        if (ctx.ShowProgress && files.Count > 1)
        {
            ctx.ErrorConsole.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(progress =>
                {
                    var task = progress.AddTask(description, maxValue: files.Count);
                    Each(_ => task.Increment(1));
                });
        }
        else
        {
            Each(null);
        }

        var result = new BatchResult<T>(files.Count, done, failed, canceled);
        ctx.Note(result.SummaryLine);
        return result;
    }
}
