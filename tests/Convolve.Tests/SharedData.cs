namespace Convolve.Tests;

/// <summary>
/// The developers' shared folder (../shared beside the repository root): LFW View 1, style images, a VGG encoder,
/// face-api reference outputs. Users who clone the project do not have it, so tests that need it skip.
/// </summary>
public static class SharedData
{
    /// <summary>The repository root (the folder holding Convolve.slnx).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>../shared beside the repository root, or null when absent.</summary>
    public static string? Root
    {
        get
        {
            string path = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));
            return Directory.Exists(path) ? path : null;
        }
    }

    /// <summary>The path of <paramref name="relative"/> inside ../shared; skips the calling test when it is absent.</summary>
    public static string Require(string relative)
    {
        string? root = Root;
        if (root is null) Assert.Skip($"../shared is absent beside {RepoRoot}: this test needs {relative}.");
        string path = Path.Combine(root, relative);
        if (!File.Exists(path) && !Directory.Exists(path)) Assert.Skip($"../shared/{relative} is absent: this test needs it.");
        return path;
    }

    /// <summary>The face-api model folder the build installs with npm; skips when it is absent.</summary>
    public static string RequireFaceModels()
    {
        string dir = Path.Combine(RepoRoot, "node_modules", "@vladmandic", "face-api", "model");
        if (!File.Exists(Path.Combine(dir, "face_recognition_model.bin")))
            Assert.Skip($"face-api models are not installed in {dir}: run 'npm ci' at the repository root.");
        return dir;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Convolve.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Convolve.slnx not found above " + AppContext.BaseDirectory);
    }
}
