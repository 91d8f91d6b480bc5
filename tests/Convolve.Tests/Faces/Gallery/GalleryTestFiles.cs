using System.Security.Cryptography;

namespace Convolve.Tests.Faces.Gallery;

/// <summary>A temporary folder per test, and small helpers to make encodings.</summary>
public abstract class GalleryTestFiles : IDisposable
{
    protected const string Model = "test-model@1";
    protected readonly string Dir = Directory.CreateTempSubdirectory("convolve-gallery-").FullName;

    protected string GalleryPath => Path.Combine(Dir, "people.db");

    /// <summary>A 128-D vector that is zero except for the given (axis, value) pairs.</summary>
    protected static float[] Vec(params (int Axis, float Value)[] parts)
    {
        var v = new float[128];
        foreach (var (axis, value) in parts) v[axis] = value;
        return v;
    }

    protected static float[] RandomEncoding(Random random) =>
        Enumerable.Range(0, 128).Select(_ => (float)(random.NextDouble() * 0.2 - 0.1)).ToArray();

    protected static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }
}
