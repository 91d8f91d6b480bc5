using System.Numerics.Tensors;

namespace Convolve.Faces.Clustering;

/// <summary>
/// Groups face encodings by person without knowing who anyone is: faces closer than a distance threshold are joined
/// by an edge, and the graph is split by <see cref="ChineseWhispers"/>. Use the threshold you verify with
/// (<see cref="FaceAnalyzer.DefaultThreshold"/> or a calibrated one): an edge means "the same person" at that threshold.
/// </summary>
/// <example>
/// <code>
/// using var faces = FaceAnalyzer.Load();
/// var found = photos.SelectMany(p => faces.Encode(ImageDecoder.Load(p))).ToList();
/// int[] person = FaceClustering.Cluster(found.Select(f => f.Encoding).ToList(), faces.DefaultThreshold, seed: 0);
/// </code>
/// </example>
public static class FaceClustering
{
    /// <summary>
    /// Cluster labels (0 = the largest cluster) for <paramref name="encodings"/>: encodings at euclidean distance below
    /// <paramref name="threshold"/> are joined, each edge weighted by how far below the threshold it is
    /// (1 − d/threshold, so near-duplicates count most). A face with no neighbour is a cluster of its own.
    /// </summary>
    public static int[] Cluster(IReadOnlyList<float[]> encodings, double threshold, int seed, int maxRounds = 100) =>
        ChineseWhispers.Cluster(encodings.Count, Edges(encodings, threshold), seed, maxRounds);

    /// <summary>
    /// Every pair closer than <paramref name="threshold"/> as an edge weighted 1 − d/threshold (pairs at distance 0
    /// weigh 1). All n(n−1)/2 distances are computed, vectorised; rows run in parallel.
    /// </summary>
    public static IReadOnlyList<GraphEdge> Edges(IReadOnlyList<float[]> encodings, double threshold)
    {
        if (!(threshold > 0)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be positive.");
        int n = encodings.Count;
        for (int i = 1; i < n; i++)
            if (encodings[i].Length != encodings[0].Length) throw new ArgumentException($"Encoding {i} has {encodings[i].Length} values, encoding 0 has {encodings[0].Length}.", nameof(encodings));
        var rows = new List<GraphEdge>[n];
        Parallel.For(0, n, i =>
        {
            var row = new List<GraphEdge>();
            for (int j = i + 1; j < n; j++)
            {
                double d = TensorPrimitives.Distance<float>(encodings[i], encodings[j]);
                if (d < threshold) row.Add(new GraphEdge(i, j, Math.Max(1 - d / threshold, 1e-9)));
            }
            rows[i] = row;
        });
        return rows.SelectMany(r => r).ToList();
    }
}
