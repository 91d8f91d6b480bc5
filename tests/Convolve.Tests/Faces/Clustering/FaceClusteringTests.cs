using Convolve.Faces.Clustering;

namespace Convolve.Tests.Faces.Clustering;

public sealed class FaceClusteringTests
{
    [Fact]
    public void Edges_join_the_pairs_closer_than_the_threshold_weighted_by_closeness()
    {
        float[] a = [0, 0], b = [0.3f, 0.4f], c = [3, 4]; // d(a,b) = 0.5, d(a,c) = 5, d(b,c) = 4.5
        var edges = FaceClustering.Edges([a, b, c], threshold: 1.0);
        var edge = Assert.Single(edges);
        Assert.Equal((0, 1), (edge.A, edge.B));
        Assert.Equal(0.5, edge.Weight, 6);
        Assert.Throws<ArgumentOutOfRangeException>(() => FaceClustering.Edges([a, b], 0));
        Assert.Throws<ArgumentException>(() => FaceClustering.Edges([a, [1f, 2f, 3f]], 1));
    }

    /// <summary><paramref name="people"/> × <paramref name="each"/> encodings: random centres, far apart, with small noise.</summary>
    private static (List<float[]> Encodings, int[] Person) Synthetic(int people, int each, double noise, int seed)
    {
        var rng = new Random(seed);
        double Gauss() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var encodings = new List<float[]>();
        var person = new List<int>();
        for (int p = 0; p < people; p++)
        {
            // Centre components ~ N(0, 0.1²): centres about 0.1·√(2·128) ≈ 1.6 apart.
            var centre = Enumerable.Range(0, 128).Select(_ => 0.1 * Gauss()).ToArray();
            for (int k = 0; k < each; k++)
            {
                encodings.Add(centre.Select(v => (float)(v + noise * Gauss())).ToArray());
                person.Add(p);
            }
        }
        return (encodings, person.ToArray());
    }

    [Fact]
    public void Recovers_well_separated_people_exactly()
    {
        // Noise 0.02 per component: same-person distances about 0.02·√256 ≈ 0.32, different people ≈ 1.6.
        var (encodings, person) = Synthetic(people: 6, each: 7, noise: 0.02, seed: 1);
        int[] labels = FaceClustering.Cluster(encodings, threshold: 0.6, seed: 0);
        for (int i = 0; i < labels.Length; i++)
            for (int j = 0; j < labels.Length; j++)
                Assert.Equal(person[i] == person[j], labels[i] == labels[j]);
    }

    [Fact]
    public void A_stray_look_alike_does_not_merge_two_people_as_joining_every_edge_would()
    {
        // Two people of 8 faces each, and one face halfway between them, within the threshold of faces of both.
        var (encodings, _) = Synthetic(people: 2, each: 8, noise: 0.02, seed: 4);
        var a = encodings[0];
        var b = encodings[8];
        double gap = Convolve.Faces.FaceAnalyzer.Distance(a, b);
        encodings.Add(a.Zip(b, (x, y) => (x + y) / 2).ToArray());
        double threshold = 0.55 * gap; // the midpoint is within reach of a and b; a and b are not of each other
        int[] labels = FaceClustering.Cluster(encodings, threshold, seed: 0);

        // Single linkage (every edge joins) would make one cluster of 17:
        var edges = FaceClustering.Edges(encodings, threshold);
        Assert.Contains(edges, e => e.B == 16 && e.A < 8);
        Assert.Contains(edges, e => e.B == 16 && e.A >= 8 && e.A < 16);
        // Chinese whispers keeps the two people apart; the look-alike joins one of them.
        Assert.Equal(Enumerable.Repeat(labels[0], 8), labels.Take(8));
        Assert.Equal(Enumerable.Repeat(labels[8], 8), labels.Skip(8).Take(8));
        Assert.NotEqual(labels[0], labels[8]);
        Assert.Contains(labels[16], new[] { labels[0], labels[8] });
    }
}
