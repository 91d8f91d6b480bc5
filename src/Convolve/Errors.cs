namespace Convolve;

/// <summary>Base of the errors Convolve reports to users; each maps to a documented CLI exit code.</summary>
public abstract class ConvolveException : Exception
{
    /// <summary>Creates the error.</summary>
    protected ConvolveException(string message, Exception? inner = null) : base(message, inner) { }

    /// <summary>The CLI exit code for this error (see docs/cli.md): 3 bad input, 4 missing model, 1 other.</summary>
    public abstract int ExitCode { get; }
}

/// <summary>An input file (image, pair list, gallery, weights) is missing, unreadable or malformed. Exit code 3.</summary>
public class InvalidInputException : ConvolveException
{
    /// <summary>Creates the error for <paramref name="path"/> (may be null when no file is involved).</summary>
    public InvalidInputException(string? path, string problem, Exception? inner = null)
        : base(path is null ? problem : $"{path}: {problem}", inner)
    {
        Path = path;
        Problem = problem;
    }

    /// <summary>The file the problem is in, when there is one.</summary>
    public string? Path { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; }

    /// <inheritdoc />
    public override int ExitCode => 3;
}

/// <summary>A model file is not installed. The message names the file and the command that gets it. Exit code 4.</summary>
public class ModelNotFoundException : ConvolveException
{
    /// <summary>Creates the error.</summary>
    public ModelNotFoundException(string fileName, string howToGetIt, IEnumerable<string> searched)
        : base($"Model file '{fileName}' was not found (looked in: {string.Join(", ", searched)}). {howToGetIt}")
    {
        FileName = fileName;
    }

    /// <summary>The model file that is missing.</summary>
    public string FileName { get; }

    /// <inheritdoc />
    public override int ExitCode => 4;
}
