using Convolve.Data;
using Convolve.Faces.Encoding;
using Convolve.Faces.Training;
using Convolve.Imaging;
using Convolve.Models;
using Convolve.Tests.Faces.Training;
using Convolve.Training;
using static TorchSharp.torch;

namespace Convolve.Tests.Training;

/// <summary>
/// Fine-tuning the pretrained face network on LFW face chips: the chip reader normalises exactly as the encoder does
/// (the untouched network gives the encoder's descriptors), a few steps lower the training triplet loss (computed here
/// by hand over every triplet of the chips) while the frozen units stay bit for bit pretrained, and a checkpoint
/// reloads to identical encodings.
/// </summary>
public sealed class FaceFineTuneTests(LfwChips chips, ITestOutputHelper output) : IClassFixture<LfwChips>
{
    private static TrainingOptions Options(int steps = 8) => LfwChips.FineTuneOptions(steps);

    [Fact]
    public void TheUntrainedModelEncodesChipsLikeTheFaceEncoder()
    {
        var data = FaceChipDataset.Load(chips.Root);
        using var model = Checkpoint.Create(Options(), data.Modality, data.SampleShape);
        using var encoder = FaceEncoder.Load(LfwChips.Models);
        for (int i = 0; i < 3; i++)
        {
            float[] viaTraining = model.Encode(data.Load(i));
            float[] viaEncoder = encoder.Encode(ImageDecoder.Load(data.Samples[i].Source));
            Assert.Equal(128, viaTraining.Length);
            Assert.InRange(FaceEncoder.Distance(viaTraining, viaEncoder), 0, 1e-5);
        }
    }

    [Fact]
    public void PhotosThatAreNotChipsAreRefusedWithTheWayToMakeChips()
    {
        string photos = chips.Scratch("photos");   // the LFW photos the chips were cut from (250×250)
        _ = chips.Root;
        var e = Assert.Throws<InvalidInputException>(() => FaceChipDataset.Load(photos));
        Assert.Contains("250×250", e.Message);
        Assert.Contains("convolve faces chips", e.Message);
    }

    [Fact]
    public void AFewStepsLowerTheTrainingTripletLossAndLeaveFrozenUnitsUntouched()
    {
        var data = FaceChipDataset.Load(chips.Root);
        TrainingOptions options = Options();
        using var before = Checkpoint.Create(options, data.Modality, data.SampleShape);
        double lossBefore = TripletLossOverAll(before, data, options.Margin);

        var steps = new List<double>();
        using var result = SimilarityTrainer.Train(data, null, options, callbacks: new TrainingCallbacks { Step = s => steps.Add(s.Loss) },
            cancellationToken: TestContext.Current.CancellationToken);
        double lossAfter = TripletLossOverAll(result.Model, data, options.Margin);
        output.WriteLine($"triplet loss over all triplets of {data.Samples.Count} chips: {lossBefore:F4} → {lossAfter:F4}; batch losses {string.Join(" ", steps.Select(l => l.ToString("F3")))}");

        Assert.True(lossBefore > 0.02, $"the pretrained network already satisfies the margin (loss {lossBefore}): the test shows nothing");
        Assert.True(lossAfter < 0.7 * lossBefore, $"loss {lossBefore:F4} → {lossAfter:F4}");
        var trained = result.Model.Encoder.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, pretrained) in before.Encoder.named_parameters())
        {
            bool trainable = name.StartsWith("conv256_2.") || name.StartsWith("conv256_down_out.") || name == "fc";
            bool same = trained[name].eq(pretrained).all().item<bool>();
            Assert.True(same != trainable, $"{name}: trainable {trainable}, unchanged {same}");
        }
    }

    [Fact]
    public void ACheckpointReloadsToIdenticalEncodings()
    {
        var data = FaceChipDataset.Load(chips.Root);
        string dir = chips.Scratch("roundtrip");
        using var result = SimilarityTrainer.Train(data, null, Options(steps: 2), dir, cancellationToken: TestContext.Current.CancellationToken);

        using var loaded = Checkpoint.Load(Path.Combine(dir, SimilarityTrainer.LastFolder), out var config, LfwChips.Models);

        Assert.Equal("FaceRecognitionNet", config.Architecture);
        Assert.Equal(FaceRecognitionNet.WeightsId(LfwChips.Models), config.Training.FaceFineTuning!.BaseWeights);
        Assert.Equal(3, config.Training.FaceFineTuning.TrainableBlocks);
        Assert.Equal(FaceRecognitionNet.Normalisation, config.Normalisation);
        var samples = Enumerable.Range(0, 4).Select(data.Load).ToList();
        var a = result.Model.Encode(samples);
        var b = loaded.Encode(samples);
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i]);
    }

    /// <summary>Mean over every valid (a, p, n) of the chips of max(‖f(a)−f(p)‖² − ‖f(a)−f(n)‖² + α, 0), computed here.</summary>
    private static double TripletLossOverAll(SimilarityModel model, IdentityDataset data, double margin)
    {
        var e = model.Encode(Enumerable.Range(0, data.Samples.Count).Select(data.Load).ToList());
        double sum = 0;
        int count = 0;
        for (int a = 0; a < e.Length; a++)
            for (int p = 0; p < e.Length; p++)
            {
                if (p == a || data.Samples[p].Identity != data.Samples[a].Identity) continue;
                for (int n = 0; n < e.Length; n++)
                {
                    if (data.Samples[n].Identity == data.Samples[a].Identity) continue;
                    sum += Math.Max(SimilarityModel.SquaredDistance(e[a], e[p]) - SimilarityModel.SquaredDistance(e[a], e[n]) + margin, 0);
                    count++;
                }
            }
        return sum / count;
    }
}
