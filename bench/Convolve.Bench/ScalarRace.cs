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
/// </summary>
public static class ScalarRace
{
    public static void Run(string[] args)
    {
        if (args.Contains("--pipeline")) { Pipeline(args); return; }
        if (args.Contains("--digest")) { Digests(args); return; }
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
}
