using System.Diagnostics;
using Convolve.Faces.Detection;
using Convolve.Imaging;
using Spectre.Console;

namespace Convolve.Bench;

/// <summary>
/// Face detection time per photo on face-api's six demo photos (1920 px wide): SSD MobileNetV1 and the tiny detector,
/// one photo per call and all six in one batched call.
/// Run: <c>dotnet run -c Release --project bench/Convolve.Bench -- detect [rounds] [threads]</c>. On a busy machine,
/// <c>threads</c> = 1 gives the most stable CPU time (libtorch's worker threads spin while waiting, which inflates CPU
/// time when cores are shared).
/// </summary>
public static class DetectionBench
{
    public static void Run(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0]) : 5;
        if (args.Length > 1) TorchSharp.torch.set_num_threads(int.Parse(args[1]));
        string demo = Path.Combine(FindRepoRoot(), "node_modules", "@vladmandic", "face-api", "demo");
        var photos = Enumerable.Range(1, 6).Select(i => ImageDecoder.Load(Path.Combine(demo, $"sample{i}.jpg"))).ToArray();
        AnsiConsole.MarkupLine($"[bold]Face detection[/], {photos.Length} photos ({string.Join(", ", photos.Select(p => $"{p.Width}×{p.Height}"))}), " +
                               $"{rounds} rounds, {Environment.ProcessorCount} cores, torch threads {TorchSharp.torch.get_num_threads()}");

        string load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
        AnsiConsole.MarkupLine($"load average at start: {load} (wall times are only meaningful when it is below the core count; CPU ms is the process's CPU time, all threads)");
        var table = new Table().AddColumns("detector", "mode", "wall ms/photo (median round)", "wall ms/photo (best round)", "CPU ms/photo (best round)", "faces found");
        using (var ssd = SsdFaceDetector.Load())
            Measure(table, ssd, "ssd (512)", photos, rounds);
        foreach (int size in new[] { 416, 608 })
        {
            using var tiny = TinyFaceDetector.Load(options: new TinyFaceDetectorOptions(size));
            Measure(table, tiny, $"tiny ({size})", photos, rounds);
        }
        AnsiConsole.Write(table);
    }

    private static void Measure(Table table, IFaceDetector detector, string name, RgbImage[] photos, int rounds)
    {
        detector.Detect(photos[0]); // warm-up: first-call allocations, libtorch kernel selection
        var single = new List<double>();
        var batched = new List<double>();
        var singleCpu = new List<double>();
        var batchedCpu = new List<double>();
        int faces = 0;
        for (int r = 0; r < rounds; r++)
        {
            var (wall, cpu) = Time(() => faces = photos.Sum(p => detector.Detect(p).Count));
            single.Add(wall / photos.Length);
            singleCpu.Add(cpu / photos.Length);

            (wall, cpu) = Time(() => detector.Detect(photos));
            batched.Add(wall / photos.Length);
            batchedCpu.Add(cpu / photos.Length);
        }
        table.AddRow(name, "1 photo/call", $"{Median(single):F1}", $"{single.Min():F1}", $"{singleCpu.Min():F1}", faces.ToString());
        table.AddRow(name, "6 photos/call", $"{Median(batched):F1}", $"{batched.Min():F1}", $"{batchedCpu.Min():F1}", "");
    }

    private static (double WallMs, double CpuMs) Time(Action action)
    {
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        action();
        process.Refresh();
        return (watch.Elapsed.TotalMilliseconds, (process.TotalProcessorTime - cpu).TotalMilliseconds);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Convolve.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Convolve.slnx not found above " + AppContext.BaseDirectory);
    }
}
