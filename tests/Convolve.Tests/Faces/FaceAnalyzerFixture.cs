using Convolve.Faces;
using Convolve.Weights;

namespace Convolve.Tests.Faces;

/// <summary>One <see cref="FaceAnalyzer"/> per configuration, loaded once for a test class.</summary>
public sealed class FaceAnalyzerFixture : IDisposable
{
    private readonly Dictionary<FaceAnalyzerOptions, FaceAnalyzer> _loaded = new();
    private readonly Lock _gate = new();

    /// <summary>The analyzer for <paramref name="options"/> (default options when null); skips when the models are absent.</summary>
    public FaceAnalyzer Get(FaceAnalyzerOptions? options = null)
    {
        string dir = SharedData.RequireFaceModels();
        options = (options ?? new FaceAnalyzerOptions()) with { Models = new ModelStore(dir) };
        var key = options with { Models = null };
        lock (_gate)
        {
            if (!_loaded.TryGetValue(key, out var analyzer)) _loaded[key] = analyzer = FaceAnalyzer.Load(options);
            return analyzer;
        }
    }

    public void Dispose()
    {
        foreach (var a in _loaded.Values) a.Dispose();
    }
}
