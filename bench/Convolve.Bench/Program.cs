// Benchmarks print tables; run one with: dotnet run -c Release --project bench/Convolve.Bench -- <name> [args]
switch (args.FirstOrDefault())
{
    case "faces": Convolve.Bench.FacesBench.Run(args[1..]); break;
    case "detect": Convolve.Bench.DetectionBench.Run(args[1..]); break;
    default: System.Console.WriteLine("usage: Convolve.Bench <benchmark> [args]   benchmarks: faces, detect"); break;
}
