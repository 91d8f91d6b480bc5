using Convolve.Faces.Detection;
using Convolve.Models;
using Convolve.Weights;

[assembly: AssemblyFixture(typeof(Convolve.Tests.Faces.Detection.DetectorFixture))]

namespace Convolve.Tests.Faces.Detection;

/// <summary>Loads each detector network once per test run (the face-api models installed by npm), on first use.</summary>
public sealed class DetectorFixture : IDisposable
{
    private readonly Lazy<SsdMobilenetV1?> _ssd;
    private readonly Lazy<TinyFaceDetectorNet?> _tiny;

    public DetectorFixture()
    {
        _ssd = new(() => TryFind(SsdFaceDetector.ManifestFile) is { } p ? SsdMobilenetV1.Load(p) : null);
        _tiny = new(() => TryFind(TinyFaceDetector.ManifestFile) is { } p ? TinyFaceDetectorNet.Load(p) : null);
    }

    /// <summary>An SSD detector sharing the loaded network (do not dispose it); skips when the models are absent.</summary>
    public SsdFaceDetector Ssd(SsdFaceDetectorOptions? options = null) =>
        new(_ssd.Value ?? Skip(), options);

    /// <summary>A tiny detector sharing the loaded network (do not dispose it); skips when the models are absent.</summary>
    public TinyFaceDetector Tiny(TinyFaceDetectorOptions? options = null) =>
        new(_tiny.Value ?? Skip<TinyFaceDetectorNet>(), options);

    private static string? TryFind(string file)
    {
        string dir = Path.Combine(SharedData.RepoRoot, "node_modules", "@vladmandic", "face-api", "model");
        return new ModelStore(dir).TryFind(file);
    }

    private static SsdMobilenetV1 Skip() => Skip<SsdMobilenetV1>();

    private static T Skip<T>()
    {
        SharedData.RequireFaceModels();
        throw new InvalidOperationException("face-api models are installed but the detector manifest is missing.");
    }

    public void Dispose()
    {
        if (_ssd.IsValueCreated) _ssd.Value?.Dispose();
        if (_tiny.IsValueCreated) _tiny.Value?.Dispose();
    }
}
