using TorchSharp;
using static TorchSharp.torch;
namespace Convolve.Bench;
public static class ScalarRace
{
    public static void Run(string[] args)
    {
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
}
