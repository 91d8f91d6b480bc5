using Convolve.Faces.Clustering;

namespace Convolve.Tests.Faces.Clustering;

public sealed class ChineseWhispersTests
{
    private static GraphEdge E(int a, int b, double w = 1) => new(a, b, w);

    /// <summary>Nodes grouped by label, each group sorted, groups sorted by first node.</summary>
    private static int[][] Groups(int[] labels) =>
        Enumerable.Range(0, labels.Length).GroupBy(i => labels[i]).Select(g => g.Order().ToArray()).OrderBy(g => g[0]).ToArray();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Two_cliques_joined_by_one_edge_stay_two_clusters(int seed)
    {
        // Two 4-cliques {0..3} and {4..7}; one stray edge 3–4. Every node of a clique has 3 edges inside, at most 1 out.
        var edges = new List<GraphEdge>();
        foreach (int o in new[] { 0, 4 })
            for (int a = 0; a < 4; a++)
                for (int b = a + 1; b < 4; b++) edges.Add(E(o + a, o + b));
        edges.Add(E(3, 4));
        Assert.Equal([[0, 1, 2, 3], [4, 5, 6, 7]], Groups(ChineseWhispers.Cluster(8, edges, seed)));
    }

    [Fact]
    public void Isolated_nodes_are_their_own_clusters_and_labels_count_from_the_largest()
    {
        // Node 0 alone, a pair {1, 2}, a triangle {3, 4, 5}.
        var labels = ChineseWhispers.Cluster(6, [E(1, 2), E(3, 4), E(4, 5), E(3, 5)], seed: 7);
        Assert.Equal([2, 1, 1, 0, 0, 0], labels);
    }

    [Fact]
    public void Heavier_edges_win()
    {
        // Node 2 is tied to the pair {0,1} by two light edges and to the pair {3,4} by two heavy ones.
        var edges = new[] { E(0, 1, 5), E(3, 4, 5), E(2, 0, 0.1), E(2, 1, 0.1), E(2, 3, 0.9), E(2, 4, 0.9) };
        for (int seed = 0; seed < 5; seed++)
            Assert.Equal([[0, 1], [2, 3, 4]], Groups(ChineseWhispers.Cluster(5, edges, seed)));
    }

    [Fact]
    public void The_same_seed_gives_the_same_clusters()
    {
        var rng = new Random(11);
        var edges = Enumerable.Range(0, 300).Select(_ => E(rng.Next(100), rng.Next(100), rng.NextDouble() + 0.01)).ToList();
        Assert.Equal(ChineseWhispers.Cluster(100, edges, seed: 3), ChineseWhispers.Cluster(100, edges, seed: 3));
    }

    [Fact]
    public void Bad_edges_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ChineseWhispers.Cluster(3, [E(0, 3)], seed: 0));
        Assert.Throws<ArgumentException>(() => ChineseWhispers.Cluster(3, [E(0, 1, 0)], seed: 0));
        Assert.Empty(ChineseWhispers.Cluster(0, [], seed: 0));
    }
}
