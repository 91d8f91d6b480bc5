using System.Security.Cryptography;
using Convolve.Data;
using Convolve.Faces;
using Convolve.Faces.Evaluation;
using Convolve.Faces.Gallery;
using Convolve.Imaging;
using Convolve.Models;
using Convolve.Nn;
using Convolve.Tests.Cli;
using Convolve.Tests.Faces.Training;
using Convolve.Tests.Imaging;
using Convolve.Training;
using static TorchSharp.torch;

namespace Convolve.Tests.Faces.Encoding;

/// <summary>
/// <see cref="FaceAnalyzerOptions.Model"/>: the analyzer encodes with a checkpoint's network (the fine-tuned face network
/// gives exactly what the checkpoint's model computes on the analyzer's chip; a from-scratch image network what it
/// computes on the chip read as training read images), its model id names the checkpoint's weights so galleries of
/// the pretrained and the fine-tuned network refuse each other, and its default threshold is the checkpoint's validated
/// one or, without one, an error that says what to do.
/// </summary>
public sealed class TrainedFaceModelTests(LfwChips chips) : IClassFixture<LfwChips>, IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static FaceAnalyzer Load(string? model) => FaceAnalyzer.Load(new FaceAnalyzerOptions { Model = model, Models = LfwChips.Models });

    private static (RgbImage Image, DetectedFace Face) AFace(FaceAnalyzer analyzer)
    {
        RgbImage image = ImageDecoder.Load(LfwLayout.ImagePath(Path.Combine(LfwSample.Root, "images"), "Aaron_Peirsol", 1));
        return (image, analyzer.Detect(image)[0]);
    }

    private static string Sha12(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream))[..12];
    }

    [Fact]
    public void AFineTunedCheckpointEncodesAsItsModelAndDiffersFromThePretrainedNetwork()
    {
        using var analyzer = Load(chips.FineTuned);
        using var pretrained = Load(null);
        using var model = Checkpoint.Load(chips.FineTuned, out _, LfwChips.Models);
        var (image, face) = AFace(analyzer);

        float[] viaAnalyzer = analyzer.Encode(image, [face])[0];
        float[] viaCheckpoint;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var input = TfOps.SubtractMeanAndDivide(analyzer.Chip(image, face), FaceRecognitionNet.MeanRgb, 255f);
            viaCheckpoint = model.Encoder.forward(input).data<float>().ToArray();
        }
        float[] viaPretrained = pretrained.Encode(image, [face])[0];

        Assert.InRange(FaceAnalyzer.Distance(viaAnalyzer, viaCheckpoint), 0, 1e-6);
        Assert.True(FaceAnalyzer.Distance(viaAnalyzer, viaPretrained) > 1e-3, "the fine-tuned network should differ from the pretrained one");
    }

    [Fact]
    public void ModelIdsNameTheCheckpointAndGalleriesRefuseTheOtherModel()
    {
        using var fineTuned = Load(chips.FineTuned);
        using var pretrained = Load(null);
        string baseId = FaceRecognitionNet.WeightsId(LfwChips.Models);
        string weights = Sha12(Path.Combine(chips.FineTuned, Checkpoint.WeightsFile));

        Assert.Equal($"face-api-frn-{baseId}/aligned", pretrained.ModelId);
        Assert.Equal($"face-api-frn-{baseId}+finetuned-{weights}/aligned", fineTuned.ModelId);

        var (image, _) = AFace(pretrained);
        using (FaceGallery g = pretrained.OpenGallery(Path.Combine(_dir.Path, "pretrained.db")))
        {
            pretrained.Enroll(g, "Aaron", image);
            var e = Assert.Throws<InvalidInputException>(() => fineTuned.Enroll(g, "Aaron", image));
            Assert.Contains(fineTuned.ModelId, e.Message);
        }
        using (FaceGallery g = fineTuned.OpenGallery(Path.Combine(_dir.Path, "finetuned.db")))
        {
            fineTuned.Enroll(g, "Aaron", image);
            Assert.Throws<InvalidInputException>(() => pretrained.Verify(image, g, "Aaron"));
        }
        Assert.Throws<InvalidInputException>(() => FaceGallery.Open(Path.Combine(_dir.Path, "finetuned.db"), pretrained.ModelId));
    }

    [Fact]
    public void TheDefaultThresholdIsTheCheckpointsValidatedOneOrAClearError()
    {
        var config = Checkpoint.ReadConfig(chips.FineTuned);
        using var validated = Load(chips.FineTuned);
        using var unvalidated = Load(chips.FineTunedWithoutValidation);
        var (image, _) = AFace(validated);

        // The validation threshold is on score = −squared distance: the distance threshold is its negated square root.
        Assert.Equal(Math.Sqrt(-config.Metrics!.BestThreshold), validated.DefaultThreshold, 12);
        Assert.InRange(validated.DefaultThreshold, 0.1, 3);
        Assert.False(unvalidated.HasDefaultThreshold);
        var e = Assert.Throws<InvalidInputException>(() => unvalidated.Verify(image, image));
        Assert.Contains("--threshold", e.Message);
        Assert.True(unvalidated.Verify(image, image, threshold: 0.5).Same);
    }

    [Fact]
    public void AFromScratchImageNetworkEncodesTheChipAsTrainingReadImages()
    {
        using var analyzer = Load(chips.ResNet);
        using var model = Checkpoint.Load(chips.ResNet);
        var (image, face) = AFace(analyzer);

        float[] viaAnalyzer = analyzer.Encode(image, [face])[0];
        string chipFile = _dir.Write("chip.png", []);
        ImageEncoder.Save(RgbImageOf(analyzer.Chip(image, face)), chipFile, ImageFormat.Png);
        float[] viaTraining = model.Encode(FolderDataset.ReadImage(chipFile, 32));

        Assert.StartsWith($"convolve-resnet-{Sha12(Path.Combine(chips.ResNet, Checkpoint.WeightsFile))}/", analyzer.ModelId);
        Assert.Equal(16, viaAnalyzer.Length);
        // Unit vectors; only the 8-bit rounding of the chip file separates the two.
        Assert.InRange(FaceAnalyzer.Distance(viaAnalyzer, viaTraining), 0, 0.02);
    }

    [Fact]
    public void AFineTunedNetworkIsUsedOnlyWithTheAlignmentItsChipsWereCutWith()
    {
        // The test chips are cut with the default alignment (landmarks); the checkpoint refuses face-api's crop.
        Assert.Equal("Landmarks", Checkpoint.ReadConfig(chips.FineTuned).Training.FaceFineTuning!.ChipAlignment);

        var e = Assert.Throws<InvalidInputException>(() =>
            FaceAnalyzer.Load(new FaceAnalyzerOptions { Model = chips.FineTuned, Alignment = FaceAlignment.FaceApiCrop, Models = LfwChips.Models }));

        Assert.Contains("--align landmarks", e.Message);
    }

    [Fact]
    public void ATrainedModelHasNoTableOfThresholdsByFalseAcceptRate()
    {
        using var fineTuned = Load(chips.FineTuned);
        var e = Assert.Throws<InvalidInputException>(() => fineTuned.ThresholdForFalseAcceptRate(1e-3));
        Assert.Contains("calibrate", e.Message);
        using var pretrained = Load(null);
        Assert.Equal(0.5387, pretrained.ThresholdForFalseAcceptRate(1e-3), 9); // the default (landmark alignment) row
        Assert.Equal(1 - Math.Pow(0.99, 9), pretrained.StrangerMisnamedRate(9, pretrained.DefaultThreshold)!.Value, 12); // the default is past the 1e-2 entry
        Assert.Equal(1 - Math.Pow(1 - 1e-4, 100), pretrained.StrangerMisnamedRate(100, pretrained.ThresholdForFalseAcceptRate(1e-4))!.Value, 9);
        Assert.Null(fineTuned.StrangerMisnamedRate(9, 0.5));
    }

    [Fact]
    public void AFolderThatIsNotACheckpointIsRefusedNamingTheFile()
    {
        var e = Assert.Throws<InvalidInputException>(() => Load(_dir.Path));
        Assert.Contains("config.json", e.Message);
    }

    private static RgbImage RgbImageOf(Tensor chip)
    {
        using (chip) return RgbImage.FromTensor(chip);
    }
}
