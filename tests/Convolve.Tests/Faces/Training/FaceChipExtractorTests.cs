using Convolve.Faces;
using Convolve.Faces.Encoding;
using Convolve.Faces.Evaluation;
using Convolve.Faces.Training;
using Convolve.Imaging;
using Convolve.Tests.Cli;
using Convolve.Tests.Imaging;
using Convolve.Weights;

namespace Convolve.Tests.Faces.Training;

/// <summary>
/// Face chips for fine-tuning: a chip written to disk encodes (through the plain recognition network, as a whole
/// 150×150 image) to the same descriptor the analyzer computes from the original photo, for both alignments; faces the
/// detector misses are cut from the centred box and counted; corrupt files are reported and the rest go on.
/// </summary>
public sealed class FaceChipExtractorTests(FaceAnalyzerFixture analyzers) : IClassFixture<FaceAnalyzerFixture>, IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void CentredChipsComeFromTheLandmarksOfTheCentreBoxWithoutTheDetector()
    {
        string images = Path.Combine(_dir.Path, "in");
        string photo = LfwSample.Copy(images, "Aaron_Peirsol", 1);
        FaceAnalyzer analyzer = analyzers.Get();

        FaceChipReport report = new FaceChipExtractor(analyzer, FaceLocation.CentreBox).ExtractAll(images, Path.Combine(_dir.Path, "out"), cancellation: TestContext.Current.CancellationToken);

        Assert.Equal((1, 1, 1), (report.Images, report.Chips, report.Undetected));
        RgbImage image = ImageDecoder.Load(photo);
        DetectedFace face = analyzer.FaceIn(image, new FaceBox(62.5f, 62.5f, 125f, 125f))!;
        using var scope = TorchSharp.torch.NewDisposeScope();
        RgbImage expected = RgbImage.FromTensor(analyzer.Chip(image, face));
        RgbImage written = ImageDecoder.Load(Path.Combine(_dir.Path, "out", "Aaron_Peirsol", "Aaron_Peirsol_0001.png"));
        Assert.Equal(expected.Pixels, written.Pixels);
    }

    [Theory]
    [InlineData(FaceAlignment.FaceApiCrop)]
    [InlineData(FaceAlignment.Landmarks)]
    public void AChipEncodesLikeTheAnalyzerEncodesTheOriginalPhoto(FaceAlignment alignment)
    {
        string images = Path.Combine(_dir.Path, "in");
        string[] photos = [LfwSample.Copy(images, "Aaron_Peirsol", 1), LfwSample.Copy(images, "Aaron_Peirsol", 2), LfwSample.Copy(images, "AJ_Cook", 1)];
        FaceAnalyzer analyzer = analyzers.Get(new FaceAnalyzerOptions { Alignment = alignment });

        FaceChipReport report = new FaceChipExtractor(analyzer).ExtractAll(images, Path.Combine(_dir.Path, "out"), cancellation: TestContext.Current.CancellationToken);

        Assert.Equal((3, 3, 0), (report.Images, report.Chips, report.Failed.Count));
        Assert.Equal(alignment, FaceChipDataset.ReadAlignment(Path.Combine(_dir.Path, "out")));
        using var encoder = FaceEncoder.Load(new ModelStore(SharedData.RequireFaceModels()));
        foreach (string photo in photos)
        {
            string chipPath = Path.Combine(_dir.Path, "out", Path.GetFileName(Path.GetDirectoryName(photo))!, Path.GetFileNameWithoutExtension(photo) + ".png");
            RgbImage chip = ImageDecoder.Load(chipPath);
            Assert.Equal((150, 150), (chip.Width, chip.Height));
            float[] fromChip = encoder.Encode(chip);
            float[] fromPhoto = LfwSample.Encode(analyzer, photo).Encoding;
            // Only the 8-bit rounding of the chip separates the two: far below the 0.6 same-person threshold and
            // below the distance between two photos of one person.
            Assert.InRange(FaceAnalyzer.Distance(fromChip, fromPhoto), 0, 0.02);
        }
    }

    [Fact]
    public void UndetectedFacesUseTheCentreBoxAndCorruptFilesAreReportedWhileTheRestGoOn()
    {
        string images = Path.Combine(_dir.Path, "in");
        LfwSample.Copy(images, "AJ_Cook", 1);
        _dir.Write("in/Nobody/grey.jpg", LfwSample.GreyJpeg());
        string corrupt = _dir.Write("in/Nobody/broken.jpg", [0xFF, 0xD8, 0x00, 0x01]);
        // Two images with one stem: both are kept, each under its full file name.
        _dir.Write("in/Twins/a.jpg", File.ReadAllBytes(LfwLayout.ImagePath(Path.Combine(LfwSample.Root, "images"), "AJ_Cook", 1)));
        FacesTestData.Save(ImageDecoder.Load(Path.Combine(_dir.Path, "in", "Twins", "a.jpg")), Path.Combine(_dir.Path, "in", "Twins", "a.png"));
        var seen = new List<FaceChipResult>();

        FaceChipReport report = new FaceChipExtractor(analyzers.Get()).ExtractAll(images, Path.Combine(_dir.Path, "out"), r => { lock (seen) seen.Add(r); }, TestContext.Current.CancellationToken);

        Assert.Equal(5, report.Images);
        Assert.Equal(4, report.Chips);
        Assert.Equal(1, report.Undetected);
        Assert.Equal(corrupt, Assert.Single(report.Failed).Path);
        Assert.Equal(5, seen.Count);
        Assert.False(seen.Single(r => r.Source.EndsWith("grey.jpg")).Detected);
        Assert.True(File.Exists(Path.Combine(_dir.Path, "out", "Nobody", "grey.png")));
        Assert.True(File.Exists(Path.Combine(_dir.Path, "out", "Twins", "a.jpg.png")));
        Assert.True(File.Exists(Path.Combine(_dir.Path, "out", "Twins", "a.png.png")));
        Assert.False(File.Exists(Path.Combine(_dir.Path, "out", "Nobody", "broken.png")));
    }

    [Fact]
    public void CancellationStopsBeforeTheNextImage()
    {
        string images = Path.Combine(_dir.Path, "in");
        LfwSample.Copy(images, "AJ_Cook", 1);
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        FaceChipReport report = new FaceChipExtractor(analyzers.Get()).ExtractAll(images, Path.Combine(_dir.Path, "out"), cancellation: cts.Token);

        Assert.True(report.Canceled);
        Assert.Equal((1, 0), (report.Images, report.Chips));
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "out", "AJ_Cook")));
    }
}
