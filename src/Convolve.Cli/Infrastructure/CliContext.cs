using System.CommandLine;
using Convolve.Weights;
using Spectre.Console;

namespace Convolve.Cli.Infrastructure;

/// <summary>
/// What a command's action needs: where to write (stdout for results, stderr for people), whether <c>--json</c> was
/// given, the Ctrl-C token and the model store (<c>--models</c> first).
/// </summary>
public sealed class CliContext
{
    private CliContext(ParseResult parse, CancellationToken cancellation)
    {
        Parse = parse;
        Out = parse.InvocationConfiguration.Output;
        Error = parse.InvocationConfiguration.Error;
        Json = parse.GetValue<bool>(GlobalOptions.JsonName);
        Cancellation = cancellation;
        Models = new ModelStore(parse.GetValue<string?>(GlobalOptions.ModelsName));
        Console = SpectreConsoles.For(Out, isError: false);
        ErrorConsole = SpectreConsoles.For(Error, isError: true);
    }

    /// <summary>The parsed command line (read the command's own options from it).</summary>
    public ParseResult Parse { get; }

    /// <summary>Standard output: the command's result (JSON document or human text).</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error: progress, skipped files, summaries, errors.</summary>
    public TextWriter Error { get; }

    /// <summary>True when <c>--json</c> was given: write one JSON document to <see cref="Out"/> and nothing else there.</summary>
    public bool Json { get; }

    /// <summary>Cancelled on Ctrl-C; check it between steps.</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>The model store, searching the <c>--models</c> folder first when given.</summary>
    public ModelStore Models { get; }

    /// <summary>Spectre console over <see cref="Out"/> for human output (tables, colour when it is a terminal).</summary>
    public IAnsiConsole Console { get; }

    /// <summary>Spectre console over <see cref="Error"/> (progress bars, warnings).</summary>
    public IAnsiConsole ErrorConsole { get; }

    /// <summary>True when a live progress bar makes sense: human mode and stderr is an interactive terminal.</summary>
    public bool ShowProgress => !Json && ErrorConsole.Profile.Capabilities.Interactive;

    /// <summary>Writes the command's result: <paramref name="json"/> as the JSON document, or else the human rendering.</summary>
    public void Result(object json, Action<IAnsiConsole> human)
    {
        if (Json) JsonOutput.Write(Out, json);
        else human(Console);
    }

    /// <summary>Writes a line for people on stderr (never on stdout, so piped results stay clean).</summary>
    public void Note(string message) => Error.WriteLine(message);

    /// <summary>Reports <paramref name="error"/> (stderr, and a JSON error on stdout with <c>--json</c>) and returns its exit code.</summary>
    public int Fail(Exception error)
    {
        var code = ExitCodes.For(error);
        string message = code == ExitCode.Canceled ? "canceled" : error.Message;
        Error.WriteLine($"error: {message}");
        if (code == ExitCode.Failure && Environment.GetEnvironmentVariable("CONVOLVE_DEBUG") == "1") Error.WriteLine(error);
        if (Json) JsonOutput.Write(Out, JsonOutput.Error(code, message, (error as InvalidInputException)?.Path));
        return (int)code;
    }

    /// <summary>The context for an action's invocation.</summary>
    internal static CliContext From(ParseResult parse, CancellationToken cancellation) => new(parse, cancellation);
}

/// <summary>Sets command actions that get a <see cref="CliContext"/> and whose exceptions become exit codes.</summary>
public static class CliActions
{
    /// <summary>Runs <paramref name="action"/> for <paramref name="command"/>; a thrown error is reported and mapped to its exit code.</summary>
    public static void SetConvolveAction(this Command command, Func<CliContext, int> action) =>
        command.SetConvolveAction(ctx => Task.FromResult(action(ctx)));

    /// <summary>Runs the asynchronous <paramref name="action"/> for <paramref name="command"/>; errors become exit codes.</summary>
    public static void SetConvolveAction(this Command command, Func<CliContext, Task<int>> action) =>
        command.SetAction(async (parse, cancellation) =>
        {
            var ctx = CliContext.From(parse, cancellation);
            try
            {
                return await action(ctx).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                return ctx.Fail(e);
            }
        });
}

/// <summary>Spectre consoles over arbitrary writers: colour and live display only on a real terminal.</summary>
internal static class SpectreConsoles
{
    public static IAnsiConsole For(TextWriter writer, bool isError)
    {
        bool terminal = isError
            ? ReferenceEquals(writer, System.Console.Error) && !System.Console.IsErrorRedirected
            : ReferenceEquals(writer, System.Console.Out) && !System.Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        // Redirected output is read by programs or files: do not wrap long paths and hashes at 80 columns.
        if (!terminal) console.Profile.Width = 512;
        return console;
    }
}
