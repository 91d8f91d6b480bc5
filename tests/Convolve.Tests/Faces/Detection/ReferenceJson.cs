using System.Security.Cryptography;
using System.Text.Json;
using Convolve.Faces;
using Convolve.Faces.Detection;
using Convolve.Imaging;

namespace Convolve.Tests.Faces.Detection;

/// <summary>Reads face-api's reference outputs and compares detections against them.</summary>
internal static class ReferenceJson
{
    /// <summary>Largest allowed box difference (issue 3: boxes within 0.01 px). The JSON rounds to 0.001 px.</summary>
    public const double BoxTolerancePx = 0.01;

    /// <summary>Scores: the JSON rounds to 1e-6; face-api's own CPU kernels differ from libtorch's by ~2e-6 (spec §0).</summary>
    public const double ScoreTolerance = 1e-5;

    public static JsonElement Load(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement;

    public static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    /// <summary>(score, box x/y/w/h) of every detection in a JSON array of {"score", "box"}.</summary>
    public static (double Score, double[] Box)[] Detections(JsonElement array) =>
        array.EnumerateArray().Select(d => (d.GetProperty("score").GetDouble(), Doubles(d.GetProperty("box")))).ToArray();

    /// <summary>
    /// Asserts the same faces in the same order, boxes within <see cref="BoxTolerancePx"/>; returns the largest box
    /// and score differences seen.
    /// </summary>
    public static (double Box, double Score) AssertSame((double Score, double[] Box)[] expected, IReadOnlyList<FaceDetection> actual, string what)
    {
        Assert.True(expected.Length == actual.Count, $"{what}: expected {expected.Length} faces, found {actual.Count}.");
        double maxBox = 0, maxScore = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            FaceBox b = actual[i].Box;
            double[] got = { b.X, b.Y, b.Width, b.Height };
            for (int k = 0; k < 4; k++) maxBox = Math.Max(maxBox, Math.Abs(got[k] - expected[i].Box[k]));
            maxScore = Math.Max(maxScore, Math.Abs(actual[i].Score - expected[i].Score));
        }
        Assert.True(maxBox <= BoxTolerancePx, $"{what}: box differs by {maxBox:G4} px.");
        Assert.True(maxScore <= ScoreTolerance, $"{what}: score differs by {maxScore:G4}.");
        return (maxBox, maxScore);
    }

    /// <summary>SHA-256 (lower-case hex) of the decoded RGB bytes.</summary>
    public static string RgbSha256(RgbImage image) => Convert.ToHexStringLower(SHA256.HashData(image.Pixels));
}
