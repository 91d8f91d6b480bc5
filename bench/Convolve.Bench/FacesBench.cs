using System.Diagnostics;
using Convolve.Faces;
using Convolve.Faces.Encoding;
using Convolve.Faces.Landmarks;
using Convolve.Imaging;
using Spectre.Console;
using TorchSharp;

namespace Convolve.Bench;

/// <summary>
/// Landmark and encoding throughput (`dotnet run -c Release --project bench/Convolve.Bench -- faces [image]`):
/// encodings/s at several batch sizes and landmark+encode time per face, on crops of one photo.
/// </summary>
public static class FacesBench
{
    public static void Run(string[] args)
    {
        string? threads = Environment.GetEnvironmentVariable("CONVOLVE_THREADS");
        if (threads is not null) torch.set_num_threads(int.Parse(threads));
        string imagePath = args.Length > 0 ? args[0] : Path.Combine("..", "shared", "specs", "faceapi-reference", "s1.png");
        if (args.Length > 1 && args[1] == "net") { NetOnly(); return; }
        if (args.Length > 0 && args[0] == "memory") { Memory(); return; }
        if (args.Length > 0 && args[0] == "photos") { Photos(args.Length > 1 ? int.Parse(args[1]) : 5); return; }
        if (args.Length > 0 && args[0] == "alignments") { Alignments(args.Length > 1 ? int.Parse(args[1]) : 5); return; }
        var image = ImageDecoder.Load(imagePath);
        var sw = Stopwatch.StartNew();
        using var encoder = FaceEncoder.Load();
        using var landmarker = FaceLandmarker.Load();
        AnsiConsole.MarkupLine($"models loaded in {sw.ElapsedMilliseconds} ms; torch threads {torch.get_num_threads()}; image {image.Width}x{image.Height}");

        // Crops of varying size around the image so every one needs pad + resize (like real faces).
        var rng = new Random(1);
        var crops = Enumerable.Range(0, 256).Select(_ =>
        {
            int s = rng.Next(70, 200), h = s + rng.Next(-10, 11);
            return new PixelRect(rng.Next(0, image.Width - s), rng.Next(0, image.Height - h), s, h);
        }).ToList();

        var table = new Table().AddColumns("workload", "batch", "items", "seconds", "items/s");
        foreach (int batch in new[] { 1, 8, 32 })
        {
            using var enc = new FaceEncoder(Convolve.Models.FaceRecognitionNet.Load()) { BatchSize = batch };
            enc.Encode(image, crops.Take(batch).ToList());   // warm-up
            int n = batch == 1 ? 64 : 256;
            sw.Restart();
            enc.Encode(image, crops.Take(n).ToList());
            double s = sw.Elapsed.TotalSeconds;
            table.AddRow("encode (crop→150→FRN)", batch.ToString(), n.ToString(), s.ToString("F3"), (n / s).ToString("F1"));
        }
        var boxes = crops.Select(c => c.ToFaceBox()).ToList();
        landmarker.Detect(image, boxes.Take(8).ToList());
        sw.Restart();
        landmarker.Detect(image, boxes);
        double ls = sw.Elapsed.TotalSeconds;
        table.AddRow("landmarks68 (crop→112→net)", "32", boxes.Count.ToString(), ls.ToString("F3"), (boxes.Count / ls).ToString("F1"));

        // One photo with 3 faces: landmarks then encodings (what a request does after detection).
        var three = boxes.Take(3).ToList();
        sw.Restart();
        const int reps = 20;
        for (int i = 0; i < reps; i++)
        {
            var lms = landmarker.Detect(image, three);
            encoder.Encode(image, lms.Select(l => Convolve.Faces.Alignment.DlibCrop.FromLandmarks(l!)).ToList());
        }
        double ps = sw.Elapsed.TotalSeconds / reps;
        table.AddRow("3 faces: landmarks + encode", "3", "1 photo", ps.ToString("F3"), (1 / ps).ToString("F1"));
        AnsiConsole.Write(table);
    }

    /// <summary>
    /// Per photo (face-api's demo sample1..6.jpg, ~1920 px): SSD detect + landmarks + dlib crop + encode, median of
    /// <paramref name="runs"/> after a warm-up; decoding excluded.
    /// </summary>
    private static void Photos(int runs)
    {
        string demo = Path.Combine("node_modules", "@vladmandic", "face-api", "demo");
        using var detector = Convolve.Faces.Detection.SsdFaceDetector.Load();
        using var landmarker = FaceLandmarker.Load();
        using var encoder = FaceEncoder.Load();
        var table = new Table().AddColumns("photo", "size", "faces", "median ms", "CPU ms", "of which detect", "landmarks+encode");
        var process = Process.GetCurrentProcess();
        foreach (int k in Enumerable.Range(1, 6))
        {
            var image = ImageDecoder.Load(Path.Combine(demo, $"sample{k}.jpg"));
            int faces = 0;
            double detectCpu = 0, restCpu = 0;
            void Once()
            {
                var c0 = process.TotalProcessorTime;
                var boxes = detector.Detect(image).Select(d => d.Box).ToList();
                process.Refresh();
                var c1 = process.TotalProcessorTime;
                var lms = landmarker.Detect(image, boxes);
                faces = encoder.Encode(image, lms.Select(l => l!).ToList()).Length;
                process.Refresh();
                detectCpu += (c1 - c0).TotalMilliseconds;
                restCpu += (process.TotalProcessorTime - c1).TotalMilliseconds;
            }
            Once();
            (detectCpu, restCpu) = (0, 0);
            var times = new List<double>();
            for (int r = 0; r < runs; r++)
            {
                var sw = Stopwatch.StartNew();
                Once();
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            table.AddRow($"sample{k}", $"{image.Width}x{image.Height}", faces.ToString(), times[runs / 2].ToString("F0"),
                ((detectCpu + restCpu) / runs).ToString("F0"), (detectCpu / runs).ToString("F0"), (restCpu / runs).ToString("F0"));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    /// <summary>
    /// The whole pipeline (<c>FaceAnalyzer.Encode</c>: detect, landmarks, chip, encode) per demo photo with face-api's
    /// crop and with the landmark alignment, median of <paramref name="runs"/> after a warm-up, alternating the two so
    /// that machine noise hits both alike.
    /// </summary>
    private static void Alignments(int runs)
    {
        string demo = Path.Combine("node_modules", "@vladmandic", "face-api", "demo");
        using var crop = Convolve.Faces.FaceAnalyzer.Load(new Convolve.Faces.FaceAnalyzerOptions { Alignment = Convolve.Faces.FaceAlignment.FaceApiCrop });
        using var aligned = Convolve.Faces.FaceAnalyzer.Load(new Convolve.Faces.FaceAnalyzerOptions { Alignment = Convolve.Faces.FaceAlignment.Landmarks });
        var table = new Table().AddColumns("photo", "faces", "face-api crop, median ms", "landmark alignment, median ms", "ratio");
        foreach (int k in Enumerable.Range(1, 6))
        {
            var image = ImageDecoder.Load(Path.Combine(demo, $"sample{k}.jpg"));
            int faces = crop.Encode(image).Count;
            aligned.Encode(image);
            var (a, b) = (new List<double>(), new List<double>());
            for (int r = 0; r < runs; r++)
            {
                var sw = Stopwatch.StartNew();
                crop.Encode(image);
                a.Add(sw.Elapsed.TotalMilliseconds);
                sw.Restart();
                aligned.Encode(image);
                b.Add(sw.Elapsed.TotalMilliseconds);
            }
            a.Sort();
            b.Sort();
            table.AddRow($"sample{k}", faces.ToString(), a[runs / 2].ToString("F0"), b[runs / 2].ToString("F0"), (b[runs / 2] / a[runs / 2]).ToString("F2"));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    /// <summary>Resident memory over 40 rounds of landmarks + encoding of 32 crops: it must stay flat.</summary>
    private static void Memory()
    {
        var image = ImageDecoder.Load(Path.Combine("..", "shared", "specs", "faceapi-reference", "s1.png"));
        using var encoder = FaceEncoder.Load();
        using var landmarker = FaceLandmarker.Load();
        var boxes = Enumerable.Range(0, 32).Select(i => new FaceBox(10 + i * 7, 20 + i * 4, 120 + i, 130 + i)).ToList();
        for (int round = 1; round <= 40; round++)
        {
            var lms = landmarker.Detect(image, boxes);
            encoder.Encode(image, lms.Select(l => l!).ToList());
            if (round % 10 == 0)
            {
                GC.Collect();
                AnsiConsole.MarkupLine($"round {round}: RSS {Process.GetCurrentProcess().WorkingSet64 / (1 << 20)} MiB");
            }
        }
    }

    /// <summary>Each network alone on a random batch of 32, and the preprocessing alone (wall and CPU time).</summary>
    private static void NetOnly()
    {
        using var frn = Convolve.Models.FaceRecognitionNet.Load();
        using var lm = Convolve.Models.FaceLandmark68Net.Load();
        using var lmTiny = Convolve.Models.FaceLandmark68Net.Load(tiny: true);
        using var mode = torch.inference_mode();
        using var x150 = torch.randn(32, 3, 150, 150);
        using var x112 = torch.randn(32, 3, 112, 112);
        Time("FRN forward", () => frn.forward(x150).Dispose());
        Time("lm68 forward", () => lm.forward(x112).Dispose());
        Time("lm68-tiny forward", () => lmTiny.forward(x112).Dispose());
        var image = ImageDecoder.Load(Path.Combine("..", "shared", "specs", "faceapi-reference", "s1.png"));
        var crops = Enumerable.Range(0, 32).Select(i => new PixelRect(10 + i * 5, 20 + i * 3, 120 + i, 130 + i)).ToList();
        Time("crop square resize x32", () => { using var sc = torch.NewDisposeScope(); foreach (var c in crops) FaceCrops.CropSquareResize(image, c, 150); });
        Time("preprocess to 150", () => FaceCrops.ToNetworkInput(image, crops, 150, Convolve.Models.FaceRecognitionNet.MeanRgb).Dispose());
    }

    private static void Time(string what, Action run)
    {
        run();
        var sw = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (int i = 0; i < 3; i++) run();
        double s = sw.Elapsed.TotalSeconds / 3;
        double c = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds / 3;
        AnsiConsole.MarkupLine($"{what}, batch 32: {s:F3} s wall ({32 / s:F1}/s), {c:F3} s CPU ({32 / c:F1}/CPU-s)");
    }
}
