using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Convolve.Cli.Commands;
using Convolve.Cli.Infrastructure;

namespace Convolve.Cli;

/// <summary>The <c>convolve</c> command line: a thin shell over the Convolve library.</summary>
public static class Program
{
    /// <summary>Process entry point: real console, Ctrl-C cancels.</summary>
    public static int Main(string[] args)
    {
        using var ctrlC = new CtrlC();
        return Run(args, Console.Out, Console.Error, ctrlC.Token);
    }

    /// <summary>
    /// Runs <c>convolve</c> with <paramref name="args"/>, writing results to <paramref name="stdout"/> and messages to
    /// <paramref name="stderr"/>; returns the exit code (docs/cli.md). Tests call this in-process.
    /// </summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellation = default) =>
        Run(CreateRoot(), args, stdout, stderr, cancellation);

    /// <summary>Runs <paramref name="root"/> (normally <see cref="CreateRoot"/>) with the conventions of <c>convolve</c>: usage errors exit 2.</summary>
    public static int Run(Command root, string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellation = default)
    {
        var parse = root.Parse(args);
        var config = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null, // Ctrl-C is ours (CtrlC): work stops between steps instead of being killed
        };

        if (parse.Action is ParseErrorAction)
        {
            foreach (var error in parse.Errors) stderr.WriteLine($"error: {error.Message}");
            stderr.WriteLine($"Run '{CommandPath(parse.CommandResult)} --help' for usage.");
            if (parse.GetValue<bool>(GlobalOptions.JsonName))
                JsonOutput.Write(stdout, JsonOutput.Error(ExitCode.Usage, string.Join(" ", parse.Errors.Select(e => e.Message))));
            return (int)ExitCode.Usage;
        }

        try
        {
            return parse.InvokeAsync(config, cancellation).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return (int)ExitCodes.For(e);
        }
    }

    /// <summary>
    /// The root command with every command group registered. A plain command named <c>convolve</c> rather than a
    /// RootCommand, whose name would be the host executable's (e.g. "Convolve.Cli" or "testhost").
    /// </summary>
    public static Command CreateRoot()
    {
        var root = new Command("convolve",
            "Convolve: face verification and recognition, learned similarity and neural style transfer on the CPU.\n" +
            "Exit codes: 0 done, 1 failure, 2 usage, 3 bad input, 4 missing model, 130 canceled (docs/cli.md).");
        root.Options.Add(new HelpOption());
        root.Options.Add(new VersionOption { Action = new PrintVersion() });
        foreach (var option in GlobalOptions.Create()) root.Options.Add(option);

        root.Subcommands.Add(ModelsCommand.Create());
        root.Subcommands.Add(ImagesCommand.Create());
        root.Subcommands.Add(FacesCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(StyleCommand.Create());
        return root;
    }

    /// <summary>"convolve models list" for the command a parse ended in.</summary>
    private static string CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new List<string>();
        for (System.CommandLine.Parsing.SymbolResult? r = result; r is not null; r = r.Parent)
            if (r is System.CommandLine.Parsing.CommandResult c) names.Insert(0, c.Command.Name);
        return string.Join(' ', names);
    }

    /// <summary><c>--version</c> prints the library version alone, e.g. <c>0.1.0</c>.</summary>
    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(ConvolveInfo.Version);
            return 0;
        }
    }
}
