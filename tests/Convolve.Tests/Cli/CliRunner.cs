using System.Text.Json;
using Convolve.Cli;

namespace Convolve.Tests.Cli;

/// <summary>The result of running <c>convolve</c> in-process.</summary>
internal sealed record CliOutcome(int ExitCode, string Stdout, string Stderr)
{
    public JsonElement Json() => JsonDocument.Parse(Stdout).RootElement;
}

/// <summary>Runs the CLI's entry point with arguments, capturing stdout and stderr.</summary>
internal static class CliRunner
{
    public static CliOutcome Run(params string[] args) => Run(CancellationToken.None, args);

    public static CliOutcome Run(CancellationToken cancellation, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr, cancellation);
        return new CliOutcome(code, stdout.ToString(), stderr.ToString());
    }

    public static CliOutcome Run(System.CommandLine.Command root, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(root, args, stdout, stderr);
        return new CliOutcome(code, stdout.ToString(), stderr.ToString());
    }
}
