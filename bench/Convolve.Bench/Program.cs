// Benchmarks print tables; pick one with the first argument:
//   dotnet run -c Release --project bench/Convolve.Bench -- gallery [faces...]
// Add a benchmark with one line in the switch below.
using Convolve.Bench;

string which = args.Length > 0 ? args[0] : "";
string[] rest = args.Skip(1).ToArray();
switch (which)
{
    case "gallery": GallerySearchBench.Run(rest); break;
    default:
        Console.Error.WriteLine("usage: Convolve.Bench <benchmark> [options]; benchmarks: gallery");
        return 2;
}
return 0;
