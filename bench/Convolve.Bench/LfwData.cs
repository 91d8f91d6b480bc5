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

    /// <summary>
    /// Applies `--torch-threads N` (default 1): the LFW runs encode several images at once instead, which also avoids
    /// OpenMP spin-waiting when the machine is busy.
    /// </summary>
    public static int ConfigureThreads(string[] args)
    {
        int torchThreads = int.Parse(Option(args, "--torch-threads") ?? "1", System.Globalization.CultureInfo.InvariantCulture);
        TorchSharp.torch.set_num_threads(torchThreads);
        return int.Parse(Option(args, "--workers") ?? Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Convolve.slnx"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
