using System.Diagnostics;
using Convolve.Faces.Gallery;

namespace Convolve.Bench;

/// <summary>
/// Issue 3 item 9(d): identification time against galleries of 10k, 100k and 1M random 128-D encodings (one face
/// per identity, the worst case for per-identity work), with the SIMD <see cref="EncodingIndex"/> on all cores and
/// on one core, against a naive scalar loop in the same run. Target: at most 50 ms at 1M.
/// </summary>
public static class GallerySearchBench
{
    private const int Dimension = 128;

    public static void Run(string[] args)
    {
        int[] sizes = args.Length > 0 ? args.Select(int.Parse).ToArray() : [10_000, 100_000, 1_000_000];
        Console.WriteLine($"Gallery identification, {Dimension}-D encodings, one face per identity; {Environment.ProcessorCount} cores; load average {LoadAverage()}");
        Console.WriteLine("Median per query. Wall = elapsed time; CPU = this process's CPU time (robust when other jobs share the cores).");
        Console.WriteLine();
        Console.WriteLine($"{"faces",10} | {"queries",7} | {"SIMD all cores wall ms",22} | {"SIMD 1 core wall / CPU ms",25} | {"scalar wall / CPU ms",20} | {"scalar/SIMD (CPU)",17} | {"batch of 16, all cores wall ms/face",35} | {"≤ 50 ms",7}");
        Console.WriteLine(new string('-', 166));
        foreach (int n in sizes)
        {
            var random = new Random(42);
            float[] matrix = new float[(long)n * Dimension];
            for (long i = 0; i < matrix.Length; i++) matrix[i] = (float)(random.NextDouble() * 0.2 - 0.1);
            int[] labelStart = Enumerable.Range(0, n + 1).ToArray();
            var index = new EncodingIndex(Dimension, matrix, labelStart);
            int queries = n >= 1_000_000 ? 16 : 40;
            float[][] probes = Enumerable.Range(0, queries)
                .Select(_ => Enumerable.Range(0, Dimension).Select(_ => (float)(random.NextDouble() * 0.2 - 0.1)).ToArray()).ToArray();

            var (parallel, _) = Median(probes, q => index.Nearest(q, allowParallel: true));
            var (single, singleCpu) = Median(probes, q => index.Nearest(q, allowParallel: false));
            var (scalar, scalarCpu) = Median(probes, q => NaiveNearest(matrix, labelStart, q));
            float[] batch = probes.Take(16).SelectMany(q => q).ToArray();
            var (batchWall, _) = Median(probes.Take(5).ToArray(), _ =>
            {
                index.NearestMany(batch, new int[16], new float[16]);
                return (0, 0f);
            });

            // The answers must agree, or the timing means nothing.
            foreach (float[] q in probes.Take(3))
            {
                var (label, distance) = index.Nearest(q);
                var (naiveLabel, naiveDistance) = NaiveNearest(matrix, labelStart, q);
                if (label != naiveLabel || Math.Abs(distance - naiveDistance) > 1e-4)
                    throw new InvalidOperationException($"SIMD and scalar disagree at {n}: {label}/{distance} vs {naiveLabel}/{naiveDistance}");
            }
            Console.WriteLine($"{n,10:N0} | {queries,7} | {parallel,22:F2} | {$"{single:F2} / {singleCpu:F1}",25} | {$"{scalar:F2} / {scalarCpu:F1}",20} | {scalarCpu / singleCpu,16:F1}x | {batchWall / 16,35:F2} | {(parallel <= 50 ? "met" : "NOT met"),7}");
        }
        Console.WriteLine();
        MeasureSqliteGallery(Math.Min(100_000, sizes.Max()));
        Console.WriteLine();
        Console.WriteLine($"load average at the end: {LoadAverage()}");
    }

    /// <summary>End to end through the SQLite file: enroll N faces in one transaction, reopen, first identify (loads the index), next identify.</summary>
    private static void MeasureSqliteGallery(int n)
    {
        string dir = Directory.CreateTempSubdirectory("convolve-bench-").FullName;
        try
        {
            var random = new Random(1);
            var samples = Enumerable.Range(0, n).Select(i => new FaceSample($"person {i}",
                Enumerable.Range(0, Dimension).Select(_ => (float)(random.NextDouble() * 0.2 - 0.1)).ToArray(), $"photo{i}.jpg")).ToList();
            string path = Path.Combine(dir, "bench.db");
            long start = Stopwatch.GetTimestamp();
            using (var gallery = FaceGallery.OpenOrCreate(path, "bench")) gallery.Enroll(samples);
            double enroll = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            using var reopened = FaceGallery.Open(path, "bench");
            using var process = Process.GetCurrentProcess();
            TimeSpan cpuStart = process.TotalProcessorTime;
            start = Stopwatch.GetTimestamp();
            reopened.Identify(samples[n / 2].Encoding, 0.5);
            double first = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            process.Refresh();
            double firstCpu = (process.TotalProcessorTime - cpuStart).TotalMilliseconds;
            start = Stopwatch.GetTimestamp();
            var match = reopened.Identify(samples[n / 3].Encoding, 0.5);
            double next = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (match.Identity != samples[n / 3].Identity) throw new InvalidOperationException("the gallery did not find an enrolled face");
            Console.WriteLine($"SQLite gallery of {n:N0} faces ({new FileInfo(path).Length / 1e6:F1} MB): enroll all in one transaction {enroll:F0} ms; " +
                $"first identify after opening (loads the index) {first:F0} ms wall / {firstCpu:F0} ms CPU; next identify {next:F1} ms (wall)");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Median wall-clock and CPU milliseconds per query (after one warm-up query).</summary>
    private static (double Wall, double Cpu) Median(float[][] probes, Func<float[], (int, float)> search)
    {
        search(probes[0]); // warm-up (JIT, page faults)
        var wall = new List<double>();
        var cpu = new List<double>();
        using var process = Process.GetCurrentProcess();
        foreach (float[] q in probes)
        {
            process.Refresh();
            TimeSpan cpuStart = process.TotalProcessorTime;
            long start = Stopwatch.GetTimestamp();
            search(q);
            wall.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            process.Refresh();
            cpu.Add((process.TotalProcessorTime - cpuStart).TotalMilliseconds);
        }
        wall.Sort();
        cpu.Sort();
        return (wall[wall.Count / 2], cpu[cpu.Count / 2]);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>The obvious loop: one row, one value at a time.</summary>
    private static (int, float) NaiveNearest(float[] matrix, int[] labelStart, float[] q)
    {
        int bestLabel = -1;
        float best = float.PositiveInfinity;
        for (int k = 0; k + 1 < labelStart.Length; k++)
            for (int row = labelStart[k]; row < labelStart[k + 1]; row++)
            {
                float sum = 0;
                long offset = (long)row * Dimension;
                for (int j = 0; j < Dimension; j++)
                {
                    float diff = matrix[offset + j] - q[j];
                    sum += diff * diff;
                }
                float distance = MathF.Sqrt(sum);
                if (distance < best) (best, bestLabel) = (distance, k);
            }
        return (bestLabel, best);
    }
}
