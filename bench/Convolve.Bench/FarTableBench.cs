using System.Globalization;
using System.Numerics.Tensors;
using Convolve.Faces.Evaluation;
using static System.FormattableString;

namespace Convolve.Bench;

/// <summary>
/// Thresholds for small false-accept rates (`-- far-table [--encodings FILE] [--variant 2]`): LFW's 1100 different pairs
/// per split cannot show a FAR below 1e-3, so this uses every different-person pair among the 7858 images of the
/// DevTrain people in lfw-cohort's cache (about 31 million) to find the threshold for each FAR, then checks that FAR on
/// every different-person pair among the DevTest people's 1549 images (about 1.2 million, people never used above) and
/// measures the TAR there on pairsDevTest's 500 same-person pairs.
/// </summary>
public static class FarTableBench
{
    private const double BinWidth = 1e-4, MaxDistance = 2.5;

    public static void Run(string[] args)
    {
        string lfw = LfwData.Locate(args);
        string encodingsPath = LfwData.Option(args, "--encodings") ?? "/tmp/lfw-encodings.bin";
        int variant = int.Parse(LfwData.Option(args, "--variant") ?? "2", CultureInfo.InvariantCulture);
        var all = LfwCohort.Read(encodingsPath).OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => (Path: kv.Key, Person: Path.GetFileName(Path.GetDirectoryName(kv.Key)!), Encoding: kv.Value[variant])).ToList();
        var testPeople = File.ReadLines(Path.Combine(lfw, "peopleDevTest.txt")).Skip(1).Select(l => l.Split('\t')[0]).ToHashSet();
        var train = all.Where(x => !testPeople.Contains(x.Person)).ToList();
        var test = all.Where(x => testPeople.Contains(x.Person)).ToList();
        var trainHistogram = ImpostorHistogram(train.Select(x => (x.Person, x.Encoding)).ToList(), out long trainPairs);
        var testHistogram = ImpostorHistogram(test.Select(x => (x.Person, x.Encoding)).ToList(), out long testPairs);
        var byPath = all.ToDictionary(x => x.Path, x => x.Encoding);
        string images = Path.Combine(lfw, "images");
        var genuine = PairFileParser.Parse(Path.Combine(lfw, "pairsDevTest.txt")).Pairs.Where(p => p.Same)
            .Select(p => (double)TensorPrimitives.Distance<float>(byPath[p.PathA(images)], byPath[p.PathB(images)])).ToList();

        Console.WriteLine(Invariant($"variant {variant}: {trainPairs:N0} different-person pairs of {train.Select(x => x.Person).Distinct().Count()} DevTrain people; check on {testPairs:N0} of {test.Select(x => x.Person).Distinct().Count()} DevTest people; TAR on {genuine.Count} DevTest same pairs\n"));
        Console.WriteLine("| target FAR | threshold (DevTrain people) | FAR on DevTest people | false accepts there | TAR (pairsDevTest) |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (double far in new[] { 1e-2, 1e-3, 1e-4, 1e-5, 1e-6 })
        {
            double t = Threshold(trainHistogram, trainPairs, far);
            long accepted = Below(testHistogram, t);
            Console.WriteLine(Invariant($"| {far:0e0} | {t:F4} | {(double)accepted / testPairs:0.0e0} | {accepted:N0} | {genuine.Count(d => d < t) / (double)genuine.Count:P1} |"));
        }
    }

    /// <summary>Counts of every different-person pair's distance in bins of <see cref="BinWidth"/>.</summary>
    private static long[] ImpostorHistogram(List<(string Person, float[] Encoding)> faces, out long pairs)
    {
        int bins = (int)(MaxDistance / BinWidth) + 1;
        var total = new long[bins];
        var gate = new Lock();
        long count = 0;
        Parallel.For(0, faces.Count, () => (Hist: new long[bins], N: 0L), (i, _, local) =>
        {
            for (int j = i + 1; j < faces.Count; j++)
            {
                if (faces[i].Person == faces[j].Person) continue;
                double d = TensorPrimitives.Distance<float>(faces[i].Encoding, faces[j].Encoding);
                local.Hist[Math.Min(bins - 1, (int)(d / BinWidth))]++;
                local.N++;
            }
            return local;
        }, local =>
        {
            lock (gate)
            {
                for (int b = 0; b < bins; b++) total[b] += local.Hist[b];
                count += local.N;
            }
        });
        pairs = count;
        return total;
    }

    /// <summary>The largest bin edge below which at most <paramref name="far"/> of the pairs fall.</summary>
    private static double Threshold(long[] histogram, long pairs, double far)
    {
        long allowed = (long)Math.Floor(far * pairs), seen = 0;
        for (int b = 0; b < histogram.Length; b++)
        {
            if (seen + histogram[b] > allowed) return b * BinWidth;
            seen += histogram[b];
        }
        return histogram.Length * BinWidth;
    }

    /// <summary>Pairs in bins entirely below <paramref name="threshold"/> (the threshold is a bin edge).</summary>
    private static long Below(long[] histogram, double threshold)
    {
        long n = 0;
        for (int b = 0; b < histogram.Length && (b + 1) * BinWidth <= threshold + 1e-12; b++) n += histogram[b];
        return n;
    }

}
