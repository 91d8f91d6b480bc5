using System.Diagnostics;
using System.Globalization;
using Convolve.Faces;
using Convolve.Faces.Clustering;
using static System.FormattableString;

namespace Convolve.Bench;

/// <summary>
/// Face clustering on LFW View 1 (`-- cluster [--encodings FILE] [--variant 2] [--thresholds …]`): the 9407 images of
/// lfw-cohort's cache (variant 2 = landmark alignment, no flip), clustered with no labels and scored against the LFW
/// names by pairwise precision (pairs put together that are one person), recall (pairs of one person put together) and
/// F1. The threshold is chosen on the DevTrain people's images and the methods compared on the DevTest people's. Peers in the same run: Chinese whispers with weighted edges (the library), with unit edges (dlib's face
/// clustering example), and joining every edge (connected components, i.e. single linkage).
/// </summary>
public static class ClusterBench
{
    public static void Run(string[] args)
    {
        string lfw = LfwData.Locate(args);
        string encodingsPath = LfwData.Option(args, "--encodings") ?? "/tmp/lfw-encodings.bin";
        int variant = int.Parse(LfwData.Option(args, "--variant") ?? "2", CultureInfo.InvariantCulture);
        double[] grid = (LfwData.Option(args, "--thresholds") ?? "0.35,0.375,0.4,0.425,0.45,0.475,0.5,0.525,0.55").Split(',')
            .Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        double verification = double.Parse(LfwData.Option(args, "--verification-threshold") ?? "0.6119", CultureInfo.InvariantCulture);
        var all = LfwCohort.Read(encodingsPath).OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => (Person: Path.GetFileName(Path.GetDirectoryName(kv.Key)!), Encoding: kv.Value[variant])).ToList();
        var testPeople = File.ReadLines(Path.Combine(lfw, "peopleDevTest.txt")).Skip(1).Select(l => l.Split('\t')[0]).ToHashSet();
        var train = all.Where(x => !testPeople.Contains(x.Person)).ToList();
        var test = all.Where(x => testPeople.Contains(x.Person)).ToList();
        Console.WriteLine(Invariant($"DevTrain people: {train.Count} images of {train.Select(x => x.Person).Distinct().Count()}; DevTest people: {test.Count} images of {test.Select(x => x.Person).Distinct().Count()}"));

        Console.WriteLine("\nChoosing the threshold on the DevTrain people (library method):\n");
        Console.WriteLine("| threshold | clusters | precision | recall | F1 |");
        Console.WriteLine("|---|---|---|---|---|");
        double best = grid[0], bestF1 = -1;
        foreach (double t in grid)
        {
            var labels = FaceClustering.Cluster(train.Select(x => x.Encoding).ToList(), t, seed: 0);
            var (p, r) = PairwiseScores(labels, train.Select(x => x.Person).ToArray());
            double f1 = 2 * p * r / (p + r);
            if (f1 > bestF1) (best, bestF1) = (t, f1);
            Console.WriteLine(Invariant($"| {t} | {labels.Distinct().Count()} | {p:P2} | {r:P2} | {f1:P2} |"));
        }

        if (args.Contains("--test-grid"))
        {
            // For the record only (choosing here would be choosing on the test people).
            Console.WriteLine("\nDevTest people, every threshold of the grid (library method):\n");
            foreach (double t in grid)
            {
                var labels = FaceClustering.Cluster(test.Select(x => x.Encoding).ToList(), t, seed: 0);
                var (p, r) = PairwiseScores(labels, test.Select(x => x.Person).ToArray());
                Console.WriteLine(Invariant($"| {t} | {labels.Distinct().Count()} | {p:P2} | {r:P2} | {2 * p * r / (p + r):P2} |"));
            }
        }

        Console.WriteLine(Invariant($"\nDevTest people ({test.Count} images, never used above), at the chosen {best} and at the verification threshold {verification}:\n"));
        Console.WriteLine("| threshold | method | clusters | precision | recall | F1 | seconds |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        var encodings = test.Select(x => x.Encoding).ToList();
        var person = test.Select(x => x.Person).ToArray();
        foreach (double t in new[] { best, verification })
        {
            var clock = Stopwatch.StartNew();
            var edges = FaceClustering.Edges(encodings, t);
            double edgeSeconds = clock.Elapsed.TotalSeconds;
            Row(t, "Chinese whispers, weighted (library)", () => ChineseWhispers.Cluster(encodings.Count, edges, seed: 0), edgeSeconds);
            Row(t, "Chinese whispers, unit weights", () => ChineseWhispers.Cluster(encodings.Count, edges.Select(e => e with { Weight = 1 }).ToList(), seed: 0), edgeSeconds);
            Row(t, "every edge joins (single linkage)", () => Components(encodings.Count, edges), edgeSeconds);
        }

        void Row(double t, string method, Func<int[]> cluster, double edgeSeconds)
        {
            var clock = Stopwatch.StartNew();
            int[] labels = cluster();
            double seconds = edgeSeconds + clock.Elapsed.TotalSeconds;
            var (precision, recall) = PairwiseScores(labels, person);
            Console.WriteLine(Invariant($"| {t} | {method} | {labels.Distinct().Count()} | {precision:P2} | {recall:P2} | {2 * precision * recall / (precision + recall):P2} | {seconds:F2} |"));
        }
    }

    /// <summary>Pairwise precision and recall of <paramref name="labels"/> against <paramref name="truth"/>, counted from the contingency table.</summary>
    private static (double Precision, double Recall) PairwiseScores(int[] labels, string[] truth)
    {
        static long Pairs(long n) => n * (n - 1) / 2;
        long together = labels.GroupBy(l => l).Sum(g => Pairs(g.Count()));
        long same = truth.GroupBy(t => t).Sum(g => Pairs(g.Count()));
        long both = labels.Zip(truth).GroupBy(x => x).Sum(g => Pairs(g.Count()));
        return ((double)both / together, (double)both / same);
    }

    private static int[] Components(int n, IReadOnlyList<GraphEdge> edges)
    {
        var parent = Enumerable.Range(0, n).ToArray();
        int Find(int x) { while (parent[x] != x) x = parent[x] = parent[parent[x]]; return x; }
        foreach (var e in edges) parent[Find(e.A)] = Find(e.B);
        return Enumerable.Range(0, n).Select(Find).ToArray();
    }

}
