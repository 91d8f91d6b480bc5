using System.Diagnostics;
using System.Globalization;
using Convolve.Faces;
using Convolve.Faces.Evaluation;
using static TorchSharp.torch;

namespace Convolve.Bench;

/// <summary>
/// Experiments with scoring on top of fixed encodings (`-- lfw-cohort [--cache FILE]`): encodes every LFW View 1
/// image (centre box; four variants) once, then compares plain euclidean distance with cohort score normalisation
/// (S-norm over DevTrain people, <c>--k</c>) and within-class whitening (<c>--lambdas</c>) learned from DevTrain people;
/// <c>--joint-bayes</c> and <c>--fusion</c> run those comparisons instead; <c>--errors</c> lists the misclassified
/// DevTest pairs; <c>--cv10</c> adds View 2's 10-fold protocol over all 3200 View 1 pairs; <c>--euclid-only</c> skips S-norm
/// and whitening; <c>--cosine</c> unit-normalises the encodings first. DevTest people are never used for anything but the DevTest figure.
/// </summary>
public static class LfwCohort
{
    public static void Run(string[] args)
    {
        string lfw = LfwData.Locate(args);
        string imagesDir = Path.Combine(lfw, "images");
        string cachePath = LfwData.Option(args, "--cache") ?? "/tmp/lfw-encodings.bin";
        PairFile train = PairFileParser.Parse(Path.Combine(lfw, "pairsDevTrain.txt"));
        PairFile test = PairFileParser.Parse(Path.Combine(lfw, "pairsDevTest.txt"));
        var trainPeople = File.ReadLines(Path.Combine(lfw, "peopleDevTrain.txt")).Skip(1).Select(l => l.Split('\t')[0]).ToHashSet();
        EncodingVariant[] variants = [new(FaceAlignment.FaceApiCrop, false), new(FaceAlignment.FaceApiCrop, true), new(FaceAlignment.Landmarks, false), new(FaceAlignment.Landmarks, true)];
        var enc = File.Exists(cachePath) ? Read(cachePath) : Encode(imagesDir, variants, cachePath, args);
        // --cosine: every encoding scaled to unit length, so that euclidean distance orders pairs as cosine distance does.
        if (args.Contains("--cosine")) enc = enc.ToDictionary(kv => kv.Key, kv => kv.Value.Select(Normalise).ToArray());
        string Person(string path) => Path.GetFileName(Path.GetDirectoryName(path)!);
        var cohortPaths = enc.Keys.Where(p => trainPeople.Contains(Person(p))).Order(StringComparer.Ordinal).ToList();
        Console.WriteLine($"{enc.Count} images encoded; cohort (DevTrain people) {cohortPaths.Count} images of {cohortPaths.Select(Person).Distinct().Count()} people");

        int[] ks = (LfwData.Option(args, "--k") ?? "0,400,200,100,50").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
        double[] lambdas = (LfwData.Option(args, "--lambdas") ?? "0,0.001,0.01").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        bool fusion = args.Contains("--fusion"), jointBayes = args.Contains("--joint-bayes");
        bool euclidOnly = args.Contains("--euclid-only");
        for (int v = 0; v < variants.Length && !fusion && !jointBayes; v++)
        {
            int vi = v;
            Report(variants[v] + " euclid", p => Distance(p, vi));
            if (euclidOnly) continue;
            foreach (int k in ks) Report($"{variants[v]} s-norm K={(k == 0 ? "all" : k.ToString(CultureInfo.InvariantCulture))}", SNorm(vi, k));

            // Within-class whitening (WCCN) learned on DevTrain people with two or more images.
            foreach (double lambda in lambdas)
            {
                var w = Wccn(PeopleOf(vi), lambda);
                var projected = enc.ToDictionary(kv => kv.Key, kv => Normalise(Project(w, kv.Value[vi])));
                Report($"{variants[v]} wccn λ={lambda}", p => FaceAnalyzer.Distance(projected[p.PathA(imagesDir)], projected[p.PathB(imagesDir)]));
            }
        }

        // Joint Bayesian (Chen et al. 2012) learned on DevTrain people with two or more images.
        for (int v = 0; v < variants.Length && jointBayes; v++)
            foreach (double lambda in new[] { 0.0, 1e-3, 1e-2, 1e-1 })
            {
                int vi = v;
                var jb = JointBayes.Fit(PeopleOf(vi), lambda);
                Report($"{variants[v]} joint-bayes λ={lambda}", p => -jb.Score(enc[p.PathA(imagesDir)][vi], enc[p.PathB(imagesDir)][vi]));
            }

        // Fusion of the two flip variants: mean distance, and mean of S-normed scores.
        if (fusion)
        {
            Report("fusion crop+flip & aligned+flip", p => (Distance(p, 1) + Distance(p, 3)) / 2);
            Report("fusion all four", p => (Distance(p, 0) + Distance(p, 1) + Distance(p, 2) + Distance(p, 3)) / 4);
            foreach (int k in new[] { 200, 400 })
            {
                var (crop, aligned) = (SNorm(1, k), SNorm(3, k));
                Report($"fusion s-norm K={k}", p => (crop(p) + aligned(p)) / 2);
            }
        }

        double Distance(LfwPair p, int v) => FaceAnalyzer.Distance(enc[p.PathA(imagesDir)][v], enc[p.PathB(imagesDir)][v]);

        List<float[][]> PeopleOf(int v) => cohortPaths.GroupBy(Person).Where(g => g.Count() >= 2).Select(g => g.Select(p => enc[p][v]).ToArray()).ToList();

        // S-norm: the pair's distance standardised by each side's distances to its K nearest cohort images (K = 0: all),
        // leaving the pair's own two people out of the cohort. Scores of every pair are computed once, in parallel.
        Func<LfwPair, double> SNorm(int v, int k)
        {
            var cohort = cohortPaths.Select(c => (Person: Person(c), Encoding: enc[c][v])).ToArray();
            (double Mean, double Std) Stats(string path, LfwPair p)
            {
                var x = enc[path][v];
                var d = cohort.Where(c => c.Person != p.NameA && c.Person != p.NameB).Select(c => (double)FaceAnalyzer.Distance(x, c.Encoding)).Order().ToList();
                var top = k == 0 ? d : d.Take(k).ToList();
                double mean = top.Average();
                return (mean, Math.Sqrt(top.Sum(t => (t - mean) * (t - mean)) / top.Count));
            }
            var scores = new System.Collections.Concurrent.ConcurrentDictionary<LfwPair, double>();
            Parallel.ForEach(train.Pairs.Concat(test.Pairs), p =>
            {
                double d = Distance(p, v);
                var (ma, sa) = Stats(p.PathA(imagesDir), p);
                var (mb, sb) = Stats(p.PathB(imagesDir), p);
                scores[p] = 0.5 * ((d - ma) / sa + (d - mb) / sb);
            });
            return p => scores[p];
        }

        void Report(string name, Func<LfwPair, double> distance)
        {
            var report = PairEvaluation.Run(test, distance, train);
            var oracle = PairMetrics.BestAccuracy(PairEvaluation.Score(test, distance));
            var trainBest = PairMetrics.BestAccuracy(PairEvaluation.Score(train, distance));
            string cv = "";
            if (args.Contains("--cv10"))
            {
                // View 2's protocol on all 3200 View 1 pairs: ten balanced folds, each threshold chosen on the other nine.
                var folds = FoldProtocol.CrossValidate(FoldProtocol.AssignFolds(PairEvaluation.Score(train, distance).Concat(PairEvaluation.Score(test, distance)).ToList()));
                cv = string.Create(CultureInfo.InvariantCulture, $"  10-fold (3200 pairs) {folds.MeanAccuracy:P2} ± {folds.AccuracyStd:P2}");
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-36} DevTrain {trainBest.Accuracy:P2}  DevTest {report.Accuracy:P2} ({(int)Math.Round((1 - report.Accuracy) * test.Pairs.Count)} errors)  oracle {oracle.Accuracy:P2}  AUC {report.Auc:F4}{cv}"));
            if (args.Contains("--errors"))
                foreach (var p in test.Pairs.Where(p => (distance(p) < report.Threshold) != p.Same))
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {(p.Same ? "same" : "diff")} {distance(p):F4} (thr {report.Threshold:F4}) {p.NameA} {p.IndexA} {p.NameB} {p.IndexB}"));
        }
    }

    internal static float[] Normalise(float[] x)
    {
        float n = System.Numerics.Tensors.TensorPrimitives.Norm(x);
        return x.Select(v => v / n).ToArray();
    }

    private static float[] Project(float[,] w, float[] x)
    {
        int n = w.GetLength(0);
        var y = new float[n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < x.Length; j++) y[i] += w[i, j] * x[j];
        return y;
    }

    // W = Sw^{-1/2} (symmetric), Sw the mean within-person covariance, plus λ·I.
    private static float[,] Wccn(List<float[][]> people, double lambda)
    {
        int dim = people[0][0].Length;
        var sw = PersonCovariance.Within(people, lambda);
        using var scope = NewDisposeScope();
        var s = tensor(sw, [dim, dim], ScalarType.Float64);
        var (values, vectors) = linalg.eigh(s);
        var inv = vectors.matmul(diag(values.clamp_min(1e-12).rsqrt())).matmul(vectors.t()).to(ScalarType.Float32);
        var data = inv.data<float>().ToArray();
        var w = new float[dim, dim];
        for (int i = 0; i < dim; i++) for (int j = 0; j < dim; j++) w[i, j] = data[i * dim + j];
        return w;
    }

    private static Dictionary<string, float[][]> Encode(string imagesDir, EncodingVariant[] variants, string cachePath, string[] args)
    {
        int workers = LfwData.ConfigureThreads(args);
        var paths = Directory.EnumerateFiles(imagesDir, "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        using var analyzer = FaceAnalyzer.Load();
        var encoder = new PairImageEncoder(analyzer, variants, FaceLocation.CentreBox);
        var clock = Stopwatch.StartNew();
        int done = 0;
        var all = encoder.EncodeAll(paths, _ =>
        {
            int n = Interlocked.Increment(ref done);
            if (n % 1000 == 0) Console.Error.WriteLine($"{n}/{paths.Count} images, {clock.Elapsed.TotalSeconds:F0} s");
        }, threads: workers);
        Console.Error.WriteLine($"encoded {paths.Count} images in {clock.Elapsed.TotalSeconds:F0} s");
        var result = all.Where(kv => kv.Value.Encodings is not null).ToDictionary(kv => kv.Key, kv => kv.Value.Encodings!);
        using var writer = new BinaryWriter(File.Create(cachePath));
        writer.Write(result.Count);
        writer.Write(variants.Length);
        foreach (var (path, e) in result)
        {
            writer.Write(path);
            foreach (var x in e) { writer.Write(x.Length); foreach (float f in x) writer.Write(f); }
        }
        return result;
    }

    internal static Dictionary<string, float[][]> Read(string cachePath)
    {
        using var reader = new BinaryReader(File.OpenRead(cachePath));
        int n = reader.ReadInt32(), variants = reader.ReadInt32();
        var result = new Dictionary<string, float[][]>();
        for (int i = 0; i < n; i++)
        {
            string path = reader.ReadString();
            var e = new float[variants][];
            for (int v = 0; v < variants; v++)
            {
                e[v] = new float[reader.ReadInt32()];
                for (int j = 0; j < e[v].Length; j++) e[v][j] = reader.ReadSingle();
            }
            result[path] = e;
        }
        return result;
    }
}
