using System.Reflection;

namespace Convolve.Weights;

/// <summary>
/// Finds model files, in this order: an explicit directory, the CONVOLVE_MODELS environment variable, the copy the
/// build installed in this repository (node_modules/@vladmandic/face-api/model), then the per-user cache
/// (~/.cache/convolve/models, or $XDG_CACHE_HOME/convolve/models).
/// </summary>
public sealed class ModelStore
{
    /// <summary>How a user gets the face models when none is found.</summary>
    public const string FaceModelsHint = "Run 'npm ci' in the Convolve repository (the build does it when npm is present), or set CONVOLVE_MODELS to a folder holding the face-api model files.";

    private readonly string? _explicitDirectory;

    /// <summary>A store that looks in <paramref name="explicitDirectory"/> first, when given.</summary>
    public ModelStore(string? explicitDirectory = null) => _explicitDirectory = explicitDirectory;

    /// <summary>The store with no explicit directory.</summary>
    public static ModelStore Default { get; } = new();

    /// <summary>The per-user cache directory (it may not exist yet).</summary>
    public static string UserCacheDirectory
    {
        get
        {
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string root = string.IsNullOrEmpty(xdg)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
                : xdg;
            return Path.Combine(root, "convolve", "models");
        }
    }

    /// <summary>The directories searched, in order (those that are configured, whether or not they exist).</summary>
    public IReadOnlyList<string> SearchDirectories
    {
        get
        {
            var dirs = new List<string>();
            if (!string.IsNullOrEmpty(_explicitDirectory)) dirs.Add(_explicitDirectory);
            string? env = Environment.GetEnvironmentVariable("CONVOLVE_MODELS");
            if (!string.IsNullOrEmpty(env)) dirs.Add(env);
            string? repo = typeof(ModelStore).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "ConvolveRepoModels")?.Value;
            if (!string.IsNullOrEmpty(repo)) dirs.Add(repo);
            dirs.Add(UserCacheDirectory);
            return dirs;
        }
    }

    /// <summary>The full path of <paramref name="fileName"/> in the first directory that has it, or null.</summary>
    public string? TryFind(string fileName) =>
        SearchDirectories.Select(d => Path.Combine(d, fileName)).FirstOrDefault(File.Exists);

    /// <summary>The full path of <paramref name="fileName"/>; throws <see cref="ModelNotFoundException"/> naming the file and the fix.</summary>
    public string Find(string fileName, string? howToGetIt = null) =>
        TryFind(fileName) ?? throw new ModelNotFoundException(fileName, howToGetIt ?? FaceModelsHint, SearchDirectories);
}
