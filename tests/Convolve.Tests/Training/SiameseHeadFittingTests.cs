using Convolve.Training;

namespace Convolve.Tests.Training;

public class SiameseHeadFittingTests
{
    // Identities are prototypes in the first 8 components; the last 8 are loud noise that carries no identity.
    // A plain distance weighs all 16 alike; a fitted head should learn to ignore the noisy ones.
    private static (List<float[]> Encodings, List<int> Identities) Synthetic(int firstIdentity, int count, int perIdentity, Random rng)
    {
        var encodings = new List<float[]>();
        var identities = new List<int>();
        for (int id = firstIdentity; id < firstIdentity + count; id++)
        {
            var prototype = Enumerable.Range(0, 8).Select(_ => Gaussian(rng)).ToArray();
            for (int s = 0; s < perIdentity; s++)
            {
                var e = new float[16];
                for (int k = 0; k < 8; k++) e[k] = (float)(prototype[k] + 0.35 * Gaussian(rng));
                for (int k = 8; k < 16; k++) e[k] = (float)(2.0 * Gaussian(rng));
                encodings.Add(e);
                identities.Add(id);
            }
        }
        return (encodings, identities);
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    [Fact]
    public void FittedHeadSeparatesUnseenIdentitiesBetterThanPlainDistance()
    {
        var rng = new Random(7);
        var (trainE, trainId) = Synthetic(0, 40, 4, rng);
        var (testE, testId) = Synthetic(100, 20, 4, rng);
        var pairs = new List<(float[], float[])>();
        var same = new List<bool>();
        for (int i = 0; i < testE.Count; i++)
            for (int j = i + 1; j < testE.Count; j++) { pairs.Add((testE[i], testE[j])); same.Add(testId[i] == testId[j]); }

        double distanceAuc = VerificationMetrics.Compute(pairs.Select(p => -SimilarityModel.SquaredDistance(p.Item1, p.Item2)).ToList(), same).Auc;
        using var head = SiameseHeadFitting.Fit(trainE, trainId, new HeadFittingOptions { Steps = 300, IdentitiesPerBatch = 16, Seed = 1 }, cancellationToken: TestContext.Current.CancellationToken);
        double headAuc = VerificationMetrics.Compute(head.Score(pairs), same).Auc;

        Assert.InRange(distanceAuc, 0.6, 0.9);   // the noise components hurt the plain distance
        Assert.True(headAuc > 0.95, $"head AUC {headAuc:F3}");
        Assert.True(headAuc > distanceAuc + 0.05, $"head {headAuc:F3} vs distance {distanceAuc:F3}");
    }

    [Fact]
    public void SameSeedGivesTheSameHead()
    {
        var (e, id) = Synthetic(0, 10, 3, new Random(3));
        using var a = SiameseHeadFitting.Fit(e, id, new HeadFittingOptions { Steps = 20, Seed = 5 }, cancellationToken: TestContext.Current.CancellationToken);
        using var b = SiameseHeadFitting.Fit(e, id, new HeadFittingOptions { Steps = 20, Seed = 5 }, cancellationToken: TestContext.Current.CancellationToken);
        var pairs = new List<(float[], float[])> { (e[0], e[1]), (e[0], e[5]) };
        Assert.Equal(a.Score(pairs), b.Score(pairs));
    }
}
