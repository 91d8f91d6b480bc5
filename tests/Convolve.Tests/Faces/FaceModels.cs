using Convolve.Faces.Encoding;
using Convolve.Faces.Landmarks;
using Convolve.Weights;

namespace Convolve.Tests.Faces;

/// <summary>The face-api landmark and recognition models, loaded once per test class; tests skip when they are not installed.</summary>
public sealed class FaceModels : IDisposable
{
    private readonly Lazy<(FaceLandmarker Full, FaceLandmarker Tiny, FaceEncoder Encoder)?> _models = new(() =>
    {
        string dir = Path.Combine(SharedData.RepoRoot, "node_modules", "@vladmandic", "face-api", "model");
        if (!File.Exists(Path.Combine(dir, "face_recognition_model.bin"))) return null;
        var store = new ModelStore(dir);
        return (FaceLandmarker.Load(tiny: false, store), FaceLandmarker.Load(tiny: true, store), FaceEncoder.Load(store));
    });

    /// <summary>The models; skips the calling test when they are not installed.</summary>
    public (FaceLandmarker Full, FaceLandmarker Tiny, FaceEncoder Encoder) Require()
    {
        if (_models.Value is null) SharedData.RequireFaceModels();   // skips with the reason
        return _models.Value!.Value;
    }

    public void Dispose()
    {
        if (_models.IsValueCreated && _models.Value is { } m)
        {
            m.Full.Dispose();
            m.Tiny.Dispose();
            m.Encoder.Dispose();
        }
    }
}
