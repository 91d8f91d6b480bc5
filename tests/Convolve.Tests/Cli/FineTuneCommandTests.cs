using System.Diagnostics;
using System.Text.Json;
using Convolve.Faces;
using Convolve.Faces.Evaluation;
using Convolve.Imaging;
using Convolve.Tests.Faces.Training;
using Convolve.Training;

namespace Convolve.Tests.Cli;

/// <summary>
/// <c>convolve train --finetune face</c> on face chips, then the checkpoint used with <c>--model</c> by verify, enroll
/// and identify: the threshold is the checkpoint's validated one, distances are the library's with the same model, and a
/// gallery of the pretrained network refuses the fine-tuned one. Photos instead of chips and options that do not apply
/// are refused with their exit codes.
/// </summary>
public sealed class FineTuneCommandTests(LfwChips chips) : IClassFixture<LfwChips>
{
    private static (int Exit, string Out, string Err) Train(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Convolve.Cli.dll"));
        foreach (var a in (string[])["train", .. args, "--models", SharedData.RequireFaceModels()]) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private static CliOutcome Faces(params string[] args) => CliRunner.Run(["faces", .. args, "--models", FacesTestData.ModelDir]);

    private static string Photo(string name, int index) => LfwLayout.ImagePath(Path.Combine(LfwSample.Root, "images"), name, index);

    [Fact]
    public void FineTunesOnChipsAndTheCheckpointVerifiesEnrollsAndIdentifies()
    {
        string output = chips.Scratch("cli-out");
        var (exit, stdout, stderr) = Train("--finetune", "face", "--data", chips.Root, "--out", output,
            "--epochs", "1", "--steps", "2", "--batch", "4x2", "--validation", "0.34", "--seed", "1", "--json");

        Assert.True(exit == 0, stderr);
        using var summary = JsonDocument.Parse(stdout);
        double distanceThreshold = summary.RootElement.GetProperty("validation").GetProperty("distanceThreshold").GetDouble();
        string best = Path.Combine(output, "best");
        CheckpointConfig config = Checkpoint.ReadConfig(best);
        Assert.Equal("FaceRecognitionNet", config.Architecture);
        Assert.Equal(3, config.Training.FaceFineTuning!.TrainableBlocks);
        Assert.Equal(FaceAnalyzer.DefaultAlignment.ToString(), config.Training.FaceFineTuning.ChipAlignment);   // from the chips' chips.json (cut with the default --align)
        Assert.Equal(FaceFineTuning.SuggestedLearningRate, config.Training.LearningRate);
        Assert.Equal(config.DistanceThreshold!.Value, distanceThreshold, 9);

        string a = Photo("Aaron_Peirsol", 1), b = Photo("Aaron_Peirsol", 2);
        var verify = Faces("verify", a, b, "--model", best, "--json");
        Assert.True(verify.ExitCode == 0, verify.Stderr);
        using var analyzer = FaceAnalyzer.Load(new FaceAnalyzerOptions { Model = best, Models = LfwChips.Models });
        var expected = analyzer.Verify(ImageDecoder.Load(a), ImageDecoder.Load(b));
        Assert.Equal(expected.Distance, verify.Json().GetProperty("distance").GetDouble(), 5);
        Assert.Equal(distanceThreshold, verify.Json().GetProperty("threshold").GetDouble(), 9);

        string gallery = chips.Scratch("cli-gallery.db");
        var enroll = Faces("enroll", "Aaron", a, "--gallery", gallery, "--model", best);
        Assert.True(enroll.ExitCode == 0, enroll.Stderr);
        var identify = Faces("identify", b, "--gallery", gallery, "--model", best, "--threshold", "10", "--json");
        Assert.True(identify.ExitCode == 0, identify.Stderr);
        Assert.Contains("\"Aaron\"", identify.Stdout);
        var pretrained = Faces("verify", b, "--identity", "Aaron", "--gallery", gallery);
        Assert.Equal(3, pretrained.ExitCode);
        Assert.Contains("+finetuned-", pretrained.Stderr);
    }

    [Fact]
    public void EvaluateWithModelMeasuresTheCheckpointsEncodings()
    {
        var (trainSame, trainDifferent) = LfwSample.PairLines("pairsDevTrain.txt", 1, 1);
        var (testSame, testDifferent) = LfwSample.PairLines("pairsDevTest.txt", 1, 1);
        string train = chips.Scratch("train-pairs.txt"), test = chips.Scratch("test-pairs.txt");
        File.WriteAllLines(train, ["1", .. trainSame, .. trainDifferent]);
        File.WriteAllLines(test, ["1", .. testSame, .. testDifferent]);
        string model = chips.FineTuned;

        var r = Faces("evaluate", "--pairs", test, "--train-pairs", train, "--images", Path.Combine(LfwSample.Root, "images"), "--model", model, "--json");

        Assert.True(r.ExitCode == 0, r.Stderr);
        using var analyzer = FaceAnalyzer.Load(new FaceAnalyzerOptions { Model = model, Models = LfwChips.Models });
        Assert.Equal(analyzer.ModelId, r.Json().GetProperty("model").GetString());
        Assert.Contains("+finetuned-", analyzer.ModelId);
        Assert.Equal(2, r.Json().GetProperty("pairs").GetInt32());
    }

    [Fact]
    public void PhotosInsteadOfChipsAndOptionsThatDoNotApplyAreRefused()
    {
        string photos = chips.Scratch("photos");
        _ = chips.Root;
        string output = chips.Scratch("refused");

        var notChips = Train("--finetune", "face", "--data", photos, "--out", output);
        var size = Train("--finetune", "face", "--data", chips.Root, "--out", output, "--size", "64");
        var blocks = Train("--finetune", "face", "--data", chips.Root, "--out", output, "--trainable-blocks", "17");
        var blocksWithoutFineTune = Train("--data", chips.Root, "--out", output, "--trainable-blocks", "2");

        Assert.Equal(3, notChips.Exit);
        Assert.Contains("convolve faces chips", notChips.Err);
        Assert.Equal(2, size.Exit);
        Assert.Contains("--size", size.Err);
        Assert.Equal(2, blocks.Exit);
        Assert.Contains("TrainableBlocks", blocks.Err);
        Assert.Equal(2, blocksWithoutFineTune.Exit);
        Assert.False(Directory.Exists(output));
    }
}
