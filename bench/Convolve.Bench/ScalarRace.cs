using System.Security.Cryptography;
using Convolve.Faces;
using Convolve.Imaging;
using TorchSharp;
using static TorchSharp.torch;
namespace Convolve.Bench;

/// <summary>
/// Reproduces TorchSharp 0.107's Scalar finalizer race: a GC on another thread frees an implicitly created Scalar while
/// libtorch still reads it. Modes: <c>scalar-race [--kept]</c> (2 threads doing a.add(b), with or without an explicit kept
/// alpha); <c>scalar-race --pipeline [--seconds N] [image ...]</c> (the real face pipeline, FaceAnalyzer.Encode of the
/// images on 2 threads, checked against a single-threaded run); both with a thread calling GC.Collect in a loop.
/// <c>scalar-race --optimizer adam|sgd|lbfgs|convolve-adam|convolve-sgd [--guarded] [--induced|--paced|--quiet] [--seconds N]</c>:
/// optimizer steps on one thread (TorchSharp's, whose implicit scalars are inside step(), or ours in Nn/Optimizers) while
/// another thread allocates garbage (or, with --induced, calls GC.Collect in a loop; --quiet: idles, for timing); each run's parameters are checked
/// against a run without that thread. <c>--guarded</c> wraps TorchSharp's step in <see cref="Convolve.Nn.NoGcRegion"/>
/// as the library does for L-BFGS (an induced collection ends a no-GC region, so it cannot help against --induced).
/// </summary>
public static class ScalarRace
{
    public static void Run(string[] args)
    {
        if (args.Contains("--pipeline")) { Pipeline(args); return; }
        if (args.Contains("--digest")) { Digests(args); return; }
        if (args.Contains("--optimizer")) { OptimizerSteps(args); return; }
        bool kept = args.Contains("--kept");
        set_num_threads(1);
        using var one = 1.ToScalar();
        var stop = false;
        var gc = new Thread(() => { while (!stop) { GC.Collect(); GC.WaitForPendingFinalizers(); } });
        gc.Start();
        long n = 0;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            Parallel.For(0, 2, _ =>
            {
                var a = ones(64, 64); var b = ones(64, 64);
                while (sw.Elapsed.TotalSeconds < 20)
                {
                    using var scope = NewDisposeScope();
                    var c = kept ? a.add(b, one) : a.add(b);
                    if (c[0, 0].item<float>() != 2f) throw new Exception("wrong");
                    Interlocked.Increment(ref n);
                    GC.KeepAlive(new byte[1000]);
                }
            });
            Console.WriteLine($"kept={kept}: {n} adds, no error");
        }
        catch (Exception e) { Console.WriteLine($"kept={kept}: failed after {n} adds: {e.InnerException?.Message.Split('\n')[0] ?? e.Message}"); }
        finally { stop = true; gc.Join(); }
    }

    private static void Pipeline(string[] args)
    {
        int i = Array.IndexOf(args, "--seconds");
        double seconds = i >= 0 ? double.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : 30;
        var paths = args.Where((a, k) => !a.StartsWith("--", StringComparison.Ordinal) && (k == 0 || args[k - 1] != "--seconds")).ToList();
        if (paths.Count == 0) paths = ["../shared/specs/faceapi-reference/s1.png", "../shared/specs/faceapi-reference/m1.png"];
        var images = paths.Select(ImageDecoder.Load).ToArray();
        set_num_threads(1);
        using var analyzer = FaceAnalyzer.Load();

        // The single-threaded result is the reference; its digest compares builds (same digest = bit-identical outputs).
        var expected = images.Select(im => Digest(analyzer.Encode(im))).ToArray();
        using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            foreach (var d in expected) sha.AppendData(Convert.FromHexString(d));
            Console.WriteLine($"single-threaded output digest: {Convert.ToHexString(sha.GetHashAndReset())[..16]} " +
                              $"({string.Join(", ", images.Select((im, k) => $"{Path.GetFileName(paths[k])}: {analyzer.Encode(im).Count} faces"))})");
        }

        var stop = false;
        var gc = new Thread(() => { while (!Volatile.Read(ref stop)) { GC.Collect(); GC.WaitForPendingFinalizers(); } });
        gc.Start();
        long runs = 0, exceptions = 0, mismatches = 0;
        string? firstError = null;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, worker =>
        {
            for (int k = worker; sw.Elapsed.TotalSeconds < seconds; k++)
            {
                int m = k % images.Length;
                try
                {
                    if (Digest(analyzer.Encode(images[m])) != expected[m]) Interlocked.Increment(ref mismatches);
                }
                catch (Exception e)
                {
                    Interlocked.Increment(ref exceptions);
                    Interlocked.CompareExchange(ref firstError, $"{e.GetType().Name}: {e.Message.Split('\n')[0]}", null);
                }
                Interlocked.Increment(ref runs);
            }
        });
        Volatile.Write(ref stop, true);
        gc.Join();
        Console.WriteLine($"pipeline, 2 threads + GC thread, {seconds:0} s: {runs} runs, {exceptions} exceptions, {mismatches} wrong outputs" +
                          (firstError is null ? "" : $"; first error: {firstError}"));
    }

    /// <summary>
    /// Single-threaded output digests of several pipeline configurations (SSD or Tiny detector, full or tiny landmarks,
    /// face-api crop or landmark alignment, flip): equal digests from two builds mean bit-identical outputs.
    /// </summary>
    private static void Digests(string[] args)
    {
        var paths = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
        if (paths.Count == 0) paths = ["../shared/specs/faceapi-reference/s1.png", "../shared/specs/faceapi-reference/m1.png"];
        var images = paths.Select(ImageDecoder.Load).ToArray();
        FaceAnalyzerOptions[] configs =
        [
            new(),
            new() { Detector = FaceDetectorKind.Tiny, TinyLandmarks = true },
            new() { Alignment = FaceAlignment.Landmarks, Flip = true },
        ];
        foreach (var options in configs)
        {
            using var analyzer = FaceAnalyzer.Load(options);
            var digests = images.Select(im => Digest(analyzer.Encode(im)));
            string all = Convert.ToHexString(SHA256.HashData(Convert.FromHexString(string.Concat(digests))))[..16];
            Console.WriteLine($"{options.Detector,-4} tinyLandmarks={options.TinyLandmarks,-5} {options.Alignment,-11} flip={options.Flip,-5} {all}");
        }
    }

    /// <summary>SHA-256 of every box, score, landmark and encoding, bit for bit.</summary>
    private static string Digest(IReadOnlyList<EncodedFace> faces)
    {
        var floats = new List<float>();
        foreach (var f in faces)
        {
            floats.AddRange([f.Face.Box.X, f.Face.Box.Y, f.Face.Box.Width, f.Face.Box.Height, f.Face.Score]);
            foreach (var p in f.Face.Landmarks.Points) floats.AddRange([p.X, p.Y]);
            floats.AddRange(f.Encoding);
        }
        return Convert.ToHexString(SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(floats.ToArray().AsSpan())));
    }

    private static void OptimizerSteps(string[] args)
    {
        bool guarded = args.Contains("--guarded"), paced = args.Contains("--paced"), induced = args.Contains("--induced"), quiet = args.Contains("--quiet");
        string kind = args[Array.IndexOf(args, "--optimizer") + 1];
        int i = Array.IndexOf(args, "--seconds");
        double seconds = i >= 0 ? double.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : 30;
        set_num_threads(1);
        using var one = 1.ToScalar();

        // 64 small parameters, loss Σ‖p − target‖², 20 steps: the final parameters are deterministic.
        float[] RunOnce()
        {
            using var scope = NewDisposeScope();
            var ps = Enumerable.Range(0, 64).Select(k => new TorchSharp.Modules.Parameter(tensor(Enumerable.Repeat((float)k / 64, 16).ToArray()))).ToList();
            using optim.Optimizer? opt = kind switch
            {
                "adam" => optim.Adam(ps, 0.01),
                "sgd" => optim.SGD(ps, 0.01, momentum: 0.9, weight_decay: 1e-4),
                "lbfgs" => optim.LBFGS(ps, lr: 0.5, max_iter: 1, max_eval: 2),
                _ => null,
            };
            using Convolve.Nn.Optimizers.ScalarSafeOptimizer? ours = kind switch
            {
                "convolve-adam" => new Convolve.Nn.Optimizers.Adam(ps, 0.01),
                "convolve-sgd" => new Convolve.Nn.Optimizers.Sgd(ps, 0.01, momentum: 0.9, weightDecay: 1e-4),
                null or "adam" or "sgd" or "lbfgs" => null,
                _ => throw new ArgumentException("--optimizer adam|sgd|lbfgs|convolve-adam|convolve-sgd"),
            };
            var target = linspace(-1, 1, 16);
            for (int step = 0; step < 20; step++)
            {
                Tensor Closure()
                {
                    if (ours is null) opt!.zero_grad(); else ours.ZeroGrad();
                    Tensor loss = ps[0].sub(target).mul(ps[0].sub(target)).sum();
                    foreach (var p in ps.Skip(1)) loss = loss.add(p.sub(target).mul(p.sub(target)).sum(), one);
                    loss.backward();
                    return loss;
                }
                if (kind != "lbfgs") Closure();
                if (ours is not null) ours.Step();
                else if (guarded) Convolve.Nn.NoGcRegion.Run(() => opt!.step(kind == "lbfgs" ? Closure : null));
                else opt!.step(kind == "lbfgs" ? Closure : null);
            }
            return cat(ps.Select(p => p.detach()).ToArray()).data<float>().ToArray();
        }

        float[] expected = RunOnce();
        var stop = false;
        var garbage = new Thread(() =>
        {
            var keep = new object[64];
            // Short-lived garbage as fast as one core allocates (a collection about every millisecond), or with
            // --paced about 200 MB/s (a collection every few tens of milliseconds, like a busy host program).
            for (long k = 0; !Volatile.Read(ref stop); k++)
            {
                if (quiet) { Thread.Sleep(10); continue; }
                if (induced) { GC.Collect(); GC.WaitForPendingFinalizers(); continue; }
                keep[k % keep.Length] = new byte[(int)(k % 7 + 1) * 4096];
                if (paced && k % 64 == 0) Thread.Sleep(1);
            }
        });
        garbage.Start();
        long runs = 0, exceptions = 0, mismatches = 0;
        string? firstError = null;
        int gcs = GC.CollectionCount(0);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            try
            {
                if (!RunOnce().SequenceEqual(expected)) mismatches++;
            }
            catch (Exception e)
            {
                exceptions++;
                firstError ??= $"{e.GetType().Name}: {e.Message.Split('\n')[0]} at {e.StackTrace?.Split('\n').FirstOrDefault(l => l.Contains("Optim", StringComparison.Ordinal) || l.Contains("Bench", StringComparison.Ordinal))?.Trim()}";
                if (args.Contains("--trace") && exceptions == 1) Console.Error.WriteLine(e);
            }
            runs++;
        }
        Volatile.Write(ref stop, true);
        garbage.Join();
        Console.WriteLine($"{kind} steps{(guarded ? " in no-GC regions" : "")}, allocating thread, {seconds:0} s: {runs} runs of 20 steps, " +
                          $"{exceptions} exceptions, {mismatches} wrong results, {GC.CollectionCount(0) - gcs} collections" +
                          (firstError is null ? "" : $"; first error: {firstError}"));
    }
}
