namespace Convolve.Faces.Clustering;

/// <summary>An undirected weighted edge between nodes <paramref name="A"/> and <paramref name="B"/>.</summary>
public readonly record struct GraphEdge(int A, int B, double Weight);

/// <summary>
/// Chinese whispers graph clustering (Biemann 2006), the method dlib uses to cluster faces: every node starts in its own
/// class; in each round the nodes, visited in a random order, take the class with the largest total edge weight among
/// their neighbours. Unlike joining every edge (single linkage), one stray edge between two dense groups does not merge
/// them. Randomised, so it takes a seed; the same seed gives the same clusters.
/// </summary>
public static class ChineseWhispers
{
    /// <summary>
    /// Cluster labels for <paramref name="nodeCount"/> nodes joined by <paramref name="edges"/>: labels are 0, 1, ...
    /// numbered by cluster size (largest first, ties by smallest node), so node i is in cluster <c>result[i]</c>.
    /// Stops after <paramref name="maxRounds"/> rounds or the first round that changes nothing.
    /// </summary>
    public static int[] Cluster(int nodeCount, IReadOnlyList<GraphEdge> edges, int seed, int maxRounds = 100)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nodeCount);
        var neighbours = new List<(int Node, double Weight)>[nodeCount];
        for (int i = 0; i < nodeCount; i++) neighbours[i] = [];
        foreach (var e in edges)
        {
            if ((uint)e.A >= (uint)nodeCount || (uint)e.B >= (uint)nodeCount) throw new ArgumentException($"Edge ({e.A}, {e.B}) names a node outside 0..{nodeCount - 1}.", nameof(edges));
            if (!(e.Weight > 0)) throw new ArgumentException($"Edge ({e.A}, {e.B}) has weight {e.Weight}; weights must be positive.", nameof(edges));
            if (e.A == e.B) continue;
            neighbours[e.A].Add((e.B, e.Weight));
            neighbours[e.B].Add((e.A, e.Weight));
        }

        var label = Enumerable.Range(0, nodeCount).ToArray();
        var order = Enumerable.Range(0, nodeCount).ToArray();
        var rng = new Random(seed);
        var score = new Dictionary<int, double>();
        for (int round = 0; round < maxRounds; round++)
        {
            rng.Shuffle(order);
            bool changed = false;
            foreach (int node in order)
            {
                if (neighbours[node].Count == 0) continue;
                score.Clear();
                foreach (var (other, weight) in neighbours[node])
                    score[label[other]] = score.GetValueOrDefault(label[other]) + weight;
                // The heaviest class; ties go to the smallest label so that a seed fixes the result.
                int best = score.MaxBy(kv => (kv.Value, -kv.Key)).Key;
                if (best != label[node]) { label[node] = best; changed = true; }
            }
            if (!changed) break;
        }
        return Renumber(label);
    }

    /// <summary>Labels renumbered 0, 1, ... by cluster size, largest first (ties: the cluster holding the smallest node first).</summary>
    internal static int[] Renumber(int[] label)
    {
        var order = Enumerable.Range(0, label.Length).GroupBy(i => label[i])
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Min())
            .Select((g, index) => (g.Key, index)).ToDictionary(x => x.Key, x => x.index);
        return label.Select(l => order[l]).ToArray();
    }
}
