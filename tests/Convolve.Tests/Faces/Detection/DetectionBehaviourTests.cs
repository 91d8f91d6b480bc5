using Convolve.Faces.Detection;
using Convolve.Imaging;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Convolve.Tests.Faces.Detection;

/// <summary>Batching, tiny faces, huge images and option checks of both detectors, on ../shared's s1.png.</summary>
public sealed class DetectionBehaviourTests(DetectorFixture detectors, ITestOutputHelper output)
{
    /// <summary>The first SSD face of s1.png is at (171.9, 147.5) size 74.5×99.8; this crop holds it with a margin.</summary>
    private const int CropX = 150, CropY = 120, CropW = 120, CropH = 150;

    [Fact]
    public void ABatchGivesTheSameFacesAsOneImageAtATime()
    {
        var s1 = Load("s1");
        var m1 = Load("m1");
        foreach (IFaceDetector detector in new IFaceDetector[] { detectors.Ssd(), detectors.Tiny() })
        {
            var batch = detector.Detect(new[] { s1, m1 });
            Assert.Equal(2, batch.Count);
            AssertClose(detector.Detect(s1), batch[0]);
            AssertClose(detector.Detect(m1), batch[1]);
            Assert.NotEmpty(batch[0]);
            Assert.NotEmpty(batch[1]);
        }
    }

    [Fact]
    public void AFaceTooSmallForTheDetectorGivesAnEmptyList()
    {
        var s1 = Load("s1");
        // The same face, pasted into a grey 800×533 picture: found at full size, not at 1/10 of it (12×15 px).
        var fullSize = PasteCrop(s1, scale: 1);
        var tooSmall = PasteCrop(s1, scale: 0.1);

        var found = detectors.Ssd().Detect(fullSize);
        Assert.Single(found);
        Assert.InRange(found[0].Box.X, 300 + (171.9 - CropX) - 3, 300 + (171.9 - CropX) + 3);

        Assert.Empty(detectors.Ssd().Detect(tooSmall));
        Assert.Empty(detectors.Tiny().Detect(tooSmall));
    }

    [Fact]
    public void AHugeImageIsDetectedOnADownscaledCopyWithBoxesInOriginalPixels()
    {
        var s1 = Load("s1");
        const int factor = 5;                                         // 4000×2665, 32 MB of RGB
        var huge = UpscaleNearest(s1, factor);
        var small = detectors.Ssd().Detect(s1);
        var large = detectors.Ssd().Detect(huge);

        Assert.Equal(small.Count, large.Count);
        for (int i = 0; i < small.Count; i++)
        {
            var (a, b) = (small[i].Box, large[i].Box);
            double worst = new[] { b.X / factor - a.X, b.Y / factor - a.Y, b.Width / factor - a.Width, b.Height / factor - a.Height }.Max(Math.Abs);
            output.WriteLine($"face {i}: {a} vs {b} / {factor}: max diff {worst:F2} px (s1 scale)");
            Assert.True(worst < 2, $"face {i} moved by {worst:F2} px");
        }
    }

    [Fact]
    public void ANetworkLoadedInsideADisposeScopeOutlivesIt()
    {
        string manifest = Path.Combine(SharedData.RequireFaceModels(), TinyFaceDetector.ManifestFile);
        Convolve.Models.TinyFaceDetectorNet network;
        using (NewDisposeScope()) network = Convolve.Models.TinyFaceDetectorNet.Load(manifest);
        using var detector = new TinyFaceDetector(network);
        Assert.Equal(3, detector.Detect(Load("s1")).Count); // face-api finds 3 faces at 416 (s1.json)
    }

    [Fact]
    public void InputSizesThatAreNotMultiplesOf32AreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => detectors.Tiny(new TinyFaceDetectorOptions(400)));
        Assert.Throws<ArgumentOutOfRangeException>(() => detectors.Tiny(new TinyFaceDetectorOptions(0)));
    }

    private static void AssertClose(IReadOnlyList<FaceDetection> expected, IReadOnlyList<FaceDetection> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Score, actual[i].Score, 1e-4);
            Assert.Equal(expected[i].Box.X, actual[i].Box.X, 1e-2);
            Assert.Equal(expected[i].Box.Y, actual[i].Box.Y, 1e-2);
            Assert.Equal(expected[i].Box.Width, actual[i].Box.Width, 1e-2);
            Assert.Equal(expected[i].Box.Height, actual[i].Box.Height, 1e-2);
        }
    }

    /// <summary>A grey 800×533 picture with s1's first face crop, scaled by <paramref name="scale"/> (area averaging), at (300, 200).</summary>
    private static RgbImage PasteCrop(RgbImage source, double scale)
    {
        using var scope = NewDisposeScope();
        var crop = source.ToTensor()[.., .., CropY..(CropY + CropH), CropX..(CropX + CropW)];
        int w = (int)Math.Round(CropW * scale), h = (int)Math.Round(CropH * scale);
        var scaled = scale == 1 ? crop : F.interpolate(crop, new long[] { h, w }, mode: InterpolationMode.Area);
        var canvas = full(new long[] { 1, 3, 533, 800 }, 128f);
        canvas[.., .., 200..(200 + h), 300..(300 + w)] = scaled;
        return RgbImage.FromTensor(canvas);
    }

    private static RgbImage UpscaleNearest(RgbImage source, int factor)
    {
        using var scope = NewDisposeScope();
        var hwc = tensor(source.Pixels, new long[] { source.Height, source.Width, 3 }, ScalarType.Byte);
        var big = hwc.repeat_interleave(factor, 0).repeat_interleave(factor, 1).contiguous();
        return new RgbImage(source.Width * factor, source.Height * factor, big.data<byte>().ToArray());
    }

    private static RgbImage Load(string name) => ImageDecoder.Load(SharedData.Require($"specs/faceapi-reference/{name}.png"));
}
