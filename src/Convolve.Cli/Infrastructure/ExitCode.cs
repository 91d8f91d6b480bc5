namespace Convolve.Cli.Infrastructure;

/// <summary>The process exit codes of <c>convolve</c> (documented in docs/cli.md).</summary>
public enum ExitCode
{
    /// <summary>Done: everything asked for was done.</summary>
    Done = 0,
    /// <summary>Any other failure (a bug, an I/O error that is not about an input file).</summary>
    Failure = 1,
    /// <summary>The command line is wrong: unknown command or option, missing argument, bad value.</summary>
    Usage = 2,
    /// <summary>An input is missing, unreadable or malformed; in a batch, at least one file was bad and skipped.</summary>
    BadInput = 3,
    /// <summary>A model file is not installed.</summary>
    MissingModel = 4,
    /// <summary>Stopped by Ctrl-C (128 + SIGINT, as shells report it).</summary>
    Canceled = 130,
}

/// <summary>Maps exceptions to exit codes.</summary>
public static class ExitCodes
{
    /// <summary>The exit code for <paramref name="error"/>: a <see cref="ConvolveException"/> carries its own; cancellation is 130; anything else is 1.</summary>
    public static ExitCode For(Exception error) => error switch
    {
        ConvolveException ce => Enum.IsDefined((ExitCode)ce.ExitCode) ? (ExitCode)ce.ExitCode : ExitCode.Failure,
        OperationCanceledException => ExitCode.Canceled,
        _ => ExitCode.Failure,
    };

    /// <summary>A short machine name for the code, used in JSON errors ("bad-input", "missing-model", ...).</summary>
    public static string Kind(ExitCode code) => code switch
    {
        ExitCode.Done => "done",
        ExitCode.Usage => "usage",
        ExitCode.BadInput => "bad-input",
        ExitCode.MissingModel => "missing-model",
        ExitCode.Canceled => "canceled",
        _ => "failure",
    };
}
