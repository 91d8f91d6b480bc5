// Benchmarks print tables; pick one with the first argument:
//   dotnet run -c Release --project bench/Convolve.Bench -- <benchmark> [options]
// Add a benchmark with one line in the switch below.
using Convolve.Bench;

string[] rest = args.Skip(1).ToArray();
switch (args.FirstOrDefault())
{
    case "faces": FacesBench.Run(rest); break;
    case "detect": DetectionBench.Run(rest); break;
    case "gallery": GallerySearchBench.Run(rest); break;
    case "template": AlignmentTemplateBench.Run(rest); break;
    case "accuracy": AccuracyReport.Run(rest); break;
    case "style": StyleBench.Run(rest); break;
    case "scalar-race": ScalarRace.Run(rest); break;
    case "training": TrainingReport.Run(rest); break;
    case "lfw-experiment": LfwExperiment.Run(rest); break;
    case "lfw-cohort": LfwCohort.Run(rest); break;
    case "lfw-quantization": LfwQuantization.Run(rest); break;
    case "lfw-finetune": LfwFineTune.Run(rest); break;
    case "pose": PoseBench.Run(rest); break;
    case "roll": RollBench.Run(rest); break;
    case "cluster": ClusterBench.Run(rest); break;
    case "far-table": FarTableBench.Run(rest); break;
    case "lfw-second-net": LfwSecondNet.Run(rest); break;
    default:
        Console.Error.WriteLine("usage: Convolve.Bench <benchmark> [options]; benchmarks: faces, detect, gallery, template, accuracy, style, training, scalar-race, lfw-experiment, lfw-cohort, lfw-quantization, lfw-finetune, pose, roll, cluster, far-table");
        return 2;
}
return 0;
