switch (args.FirstOrDefault())
{
    case "detect": Convolve.Bench.DetectionBench.Run(args[1..]); break;
    case "faces": Convolve.Bench.FacesBench.Run(args[1..]); break;
    default: System.Console.WriteLine("usage: Convolve.Bench <benchmark> [args]   benchmarks: detect, faces"); break;
}
