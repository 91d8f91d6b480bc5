using System.CommandLine;

namespace Convolve.Cli.Infrastructure;

/// <summary>Options every <c>convolve</c> command accepts (declared once on the root, inherited by subcommands).</summary>
public static class GlobalOptions
{
    /// <summary>The name of the machine-readable output option.</summary>
    public const string JsonName = "--json";

    /// <summary>The name of the model folder option.</summary>
    public const string ModelsName = "--models";

    /// <summary>Fresh instances of the global options, for one root command.</summary>
    public static IEnumerable<Option> Create() =>
    [
        new Option<bool>(JsonName)
        {
            Description = "Write one JSON document to stdout instead of text (messages and progress go to stderr).",
            Recursive = true,
        },
        new Option<string?>(ModelsName)
        {
            Description = "Folder searched first for model files (then CONVOLVE_MODELS, the repository copy, the user cache).",
            HelpName = "dir",
            Recursive = true,
        },
    ];
}
