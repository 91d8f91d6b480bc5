using System.Diagnostics;
using Convolve.Imaging;
using Convolve.Models;
using Convolve.Style;
using Spectre.Console;
using static TorchSharp.torch;

namespace Convolve.Bench;

/// <summary>
/// Style transfer speed and memory against PyTorch on the same machine in the same run: seconds per L-BFGS
/// iteration at 256 and 512 px, peak RSS, and coarse-to-fine (2 scales) against single scale at 512 px.
/// Usage: style [--weights FILE] [--network vgg19|vgg19-normalised] [--iterations N] [--threads T] [--skip-pytorch] [--skip-multiscale].
/// Defaults to ../shared's normalised encoder (layers to relu3_1: the only real VGG weights here). PyTorch comes
/// from Debian's python3-torch (installed with apt-get when missing, and said so) with OpenBLAS preloaded.
/// </summary>
public static class StyleBench
{
    public static void Run(string[] args)
    {
        string Arg(string name, string fallback) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback; }
        string root = FindShared();
        string weights = Arg("--weights", Path.Combine(root, "models/vgg19-normalised-to-conv3_1.safetensors"));
        var layout = Arg("--network", "vgg19-normalised") == "vgg19" ? Vgg19Layout.Torchvision : Vgg19Layout.Normalised;
        int iterations = int.Parse(Arg("--iterations", "10"));
        int threads = int.Parse(Arg("--threads", "2"));
        bool skipPy = args.Contains("--skip-pytorch");
        set_num_threads(threads);

        var content = ImageDecoder.Load(Path.Combine(root, "data/style/content/tubingen.jpg"));
        var style = ImageDecoder.Load(Path.Combine(root, "data/style/style/starry_night.jpg"));
        string deepest = Vgg19Features.DeepestAvailableLayer(weights, layout)!;
        var baseOptions = new StyleTransferOptions { Iterations = iterations, StyleWeight = 100, TvWeight = 0, Init = StyleInit.Content };
        var layers = StyleTransfer.LayersFor(baseOptions, deepest);
        using var net = Vgg19Features.Load(weights, layout, layers);
        var st = new StyleTransfer(net);
        Console.WriteLine($"Network {layout} to {deepest}; content layer {StyleTransfer.ContentLayerFor(baseOptions, deepest)}; style layers {string.Join(",", StyleTransfer.StyleLayersFor(baseOptions, deepest).Select(l => l.Layer))}; L-BFGS history {StyleMemoryEstimate.LbfgsHistory}; {threads} threads; {iterations} iterations.");

        var rows = new List<(string What, string Ours, string Theirs, string Ratio)>();
        foreach (int size in new[] { 256, 512 })
        {
            ResetPeakRss();
            var (perIter, _) = Timed(st, content, style, baseOptions with { Size = size }, null);
            long peak = PeakRssBytes();
            (double py, long pyPeak)? theirs = skipPy ? null : PyTorch(weights, layout, size, iterations, threads, content, style);
            rows.Add(($"s/iteration {size}px", $"{perIter:0.000}", theirs is { } t ? $"{t.py:0.000}" : "-", theirs is { } t2 ? $"{perIter / t2.py:0.00}" : "-"));
            rows.Add(($"peak RSS {size}px", $"{peak / 1e9:0.00} GB", theirs is { } t3 ? $"{t3.pyPeak / 1e9:0.00} GB" : "-", ""));
        }

        // Multi-scale: time to reach the final total loss of a single-scale 512 px run.
        if (args.Contains("--skip-multiscale")) { Print(rows); return; }
        var single = new List<(double T, double Loss)>();
        var sw = Stopwatch.StartNew();
        st.Run(content, new[] { style }, baseOptions with { Size = 512, Iterations = iterations * 3 }, new Sink(p => single.Add((sw.Elapsed.TotalSeconds, p.TotalLoss))));
        double singleWall = sw.Elapsed.TotalSeconds, target = single[^1].Loss;
        using var cts = new CancellationTokenSource();
        sw.Restart();
        double reached = double.NaN;
        st.Run(content, new[] { style }, baseOptions with { Size = 512, Scales = 2, IterationsPerScale = new[] { iterations * 3, iterations * 3 } },
            new Sink(p => { if (p.Scale == 1 && p.TotalLoss <= target && double.IsNaN(reached)) { reached = sw.Elapsed.TotalSeconds; cts.Cancel(); } }), cts.Token);
        rows.Add(("single-scale 512px wall", $"{singleWall:0.0} s (loss {target:g4})", "", ""));
        rows.Add(("2-scale reaches that loss", double.IsNaN(reached) ? "not reached" : $"{reached:0.0} s", "", double.IsNaN(reached) ? "" : $"{reached / singleWall:0.00}"));

        Print(rows);
    }

    private static void Print(List<(string What, string Ours, string Theirs, string Ratio)> rows)
    {
        var table = new Table().AddColumns("measure", "Convolve (TorchSharp)", "PyTorch", "ratio");
        foreach (var r in rows) table.AddRow(r.What, r.Ours, r.Theirs, r.Ratio);
        AnsiConsole.Write(table);
    }

    private static (double PerIteration, double Seconds) Timed(StyleTransfer st, RgbImage content, RgbImage style, StyleTransferOptions o, CancellationTokenSource? cts)
    {
        var stamps = new List<double>();
        var sw = Stopwatch.StartNew();
        var r = st.Run(content, new[] { style }, o, new Sink(_ => stamps.Add(sw.Elapsed.TotalSeconds)));
        // Iteration time from the first to the last report (excludes encoding the style/content targets).
        return ((stamps[^1] - stamps[0]) / (stamps.Count - 1), r.Seconds);
    }

    private sealed class Sink(Action<StyleProgress> a) : IProgress<StyleProgress> { public void Report(StyleProgress v) => a(v); }

    private static void ResetPeakRss() { try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { } }

    private static long PeakRssBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:")) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return 0;
    }

    private static string FindShared()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Convolve.slnx"))) return Path.GetFullPath(Path.Combine(d.FullName, "..", "shared"));
        throw new InvalidOperationException("repository root not found");
    }

    // Same algorithm in PyTorch: same network prefix, layers, losses, L-BFGS (history 20, one evaluation per step), content start.
    private static (double, long)? PyTorch(string weights, Vgg19Layout layout, int size, int iterations, int threads, RgbImage content, RgbImage style)
    {
        if (layout != Vgg19Layout.Normalised) { Console.Error.WriteLine("PyTorch comparison is written for the normalised encoder only."); return null; }
        if (!EnsurePyTorch()) return null;
        string openblas = EnsureOpenBlas();
        string script = Path.Combine(Path.GetTempPath(), "convolve_style_bench.py");
        File.WriteAllText(script, PythonScript);
        // The same resized pixels as our run (same resampler), as raw RGB: "W H" then bytes.
        string Raw(RgbImage img, string name)
        {
            var (w, h) = StyleImages.FitLongSide(img.Width, img.Height, size);
            var r = StyleImages.Resize(img, w, h);
            string path = Path.Combine(Path.GetTempPath(), $"convolve_bench_{name}_{size}.rgb");
            File.WriteAllBytes(path, System.Text.Encoding.ASCII.GetBytes($"{w} {h}\n").Concat(r.Pixels).ToArray());
            return path;
        }
        var psi = new ProcessStartInfo("/usr/bin/python3", $"{script} {weights} {Raw(content, "content")} {Raw(style, "style")} {iterations} {threads}") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (openblas.Length > 0) psi.Environment["LD_LIBRARY_PATH"] = openblas;
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        var last = output.Trim().Split('\n').LastOrDefault() ?? "";
        var parts = last.Split(' ');
        if (p.ExitCode != 0 || parts.Length != 2) { Console.Error.WriteLine("PyTorch run failed: " + err); return null; }
        return (double.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[1]));
    }

    private static bool EnsurePyTorch()
    {
        if (RunQuiet("/usr/bin/python3", "-c \"import torch\"") == 0) return true;
        Console.Error.WriteLine("Installing Debian's python3-torch with apt-get (needs root) for the PyTorch comparison...");
        RunQuiet("apt-get", "update -q");
        return RunQuiet("apt-get", "install -y -q python3-torch") == 0 && RunQuiet("/usr/bin/python3", "-c \"import torch\"") == 0;
    }

    private static string EnsureOpenBlas()
    {
        string dir = Path.Combine(Path.GetTempPath(), "convolve-openblas");
        string lib = Path.Combine(dir, "usr/lib/x86_64-linux-gnu/openblas-pthread");
        if (Directory.Exists(lib)) return lib;
        Console.Error.WriteLine("Fetching libopenblas0-pthread (apt-get download, unpacked in a temp folder) so PyTorch's BLAS is not the reference one...");
        Directory.CreateDirectory(dir);
        var psi = new ProcessStartInfo("bash", $"-c \"cd {dir} && apt-get download -q libopenblas0-pthread && dpkg -x libopenblas0-pthread*.deb .\"");
        using (var p = Process.Start(psi)!) p.WaitForExit();
        return Directory.Exists(lib) ? lib : "";
    }

    private static int RunQuiet(string file, string args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode;
    }

    private const string PythonScript = """
import json, struct, sys, time, resource
import torch, torch.nn.functional as F
weights, content_raw, style_raw, iters, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
torch.set_num_threads(threads)
def load(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]; h = json.loads(f.read(n)); data = f.read()
    return {k: torch.frombuffer(bytearray(data[v['data_offsets'][0]:v['data_offsets'][1]]), dtype=torch.float32).reshape(v['shape'])
            for k, v in h.items() if k != '__metadata__'}
W = load(weights)
def features(x):
    out = {}
    x = F.conv2d(x, W['preprocess.weight'], W['preprocess.bias'])
    for name in ['conv1_1', 'conv1_2', 'pool', 'conv2_1', 'conv2_2', 'pool', 'conv3_1']:
        if name == 'pool': x = F.max_pool2d(x, 2, 2, ceil_mode=True); continue
        x = F.relu(F.conv2d(F.pad(x, (1, 1, 1, 1), mode='reflect'), W[name + '.weight'], W[name + '.bias']))
        out['relu' + name[4:]] = x
    return out
def image(path):
    with open(path, 'rb') as f:
        w, h = map(int, f.readline().split()); data = f.read()
    return (torch.frombuffer(bytearray(data), dtype=torch.uint8).reshape(h, w, 3).permute(2, 0, 1)[None].float() / 255).contiguous()
def gram(a): c = a.shape[1]; f = a.reshape(c, -1); return f @ f.t()
C = image(content_raw); S = image(style_raw)
style_layers = ['relu1_1', 'relu2_1', 'relu3_1']; content_layer = 'relu3_1'
with torch.no_grad():
    fc = features(C); fs = features(S); fg = features(C)
    target_c = fc[content_layer]
    targets = {l: gram(fs[l]) * (fg[l].shape[2] * fg[l].shape[3]) / (fs[l].shape[2] * fs[l].shape[3]) for l in style_layers}
x = C.clone().requires_grad_(True)
opt = torch.optim.LBFGS([x], lr=1, max_iter=1, max_eval=2, tolerance_grad=1e-9, tolerance_change=1e-12, history_size=20)
def closure():
    opt.zero_grad()
    f = features(x); a = f[content_layer]
    jc = ((target_c - a) ** 2).sum() / (4 * a.numel())
    js = sum(((targets[l] - gram(f[l])) ** 2).sum() / (2 * f[l].shape[2] * f[l].shape[3] * f[l].shape[1]) ** 2 / len(style_layers) for l in style_layers)
    loss = jc + 100 * js; loss.backward(); return loss
stamps = []
for i in range(iters):
    opt.step(closure); stamps.append(time.perf_counter())
print((stamps[-1] - stamps[0]) / (len(stamps) - 1), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
""";
}
