namespace Convolve.Bench;

/// <summary>Where LFW View 1 is: the first argument after the benchmark name, else ../shared/data/lfw-view1 beside the repository.</summary>
internal static class LfwData
{
    public static string Locate(string[] args)
    {
        string? explicitDir = Option(args, "--lfw");
        if (explicitDir is not null) return explicitDir;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Convolve.slnx")))
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "lfw-view1"));
        throw new DirectoryNotFoundException("LFW View 1 not found: pass --lfw DIR");
    }

    public static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Convolve.slnx"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
