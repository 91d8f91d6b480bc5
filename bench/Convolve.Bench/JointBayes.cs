using static TorchSharp.torch;

namespace Convolve.Bench;

/// <summary>
/// Joint Bayesian face verification (Chen, Cao, Wang, Wen, Sun 2012) on fixed encodings, with the closed-form
/// estimate (between-person covariance Sμ of the person means, within-person covariance Sε, each plus λ·mean-variance·I):
/// r(x₁, x₂) = x₁ᵀAx₁ + x₂ᵀAx₂ − 2x₁ᵀGx₂, the log-likelihood ratio of "same" over "different" up to a constant.
/// </summary>
internal sealed class JointBayes
{
    private readonly double[,] _a, _g;
    private readonly double[] _mean;

    private JointBayes(double[,] a, double[,] g, double[] mean) => (_a, _g, _mean) = (a, g, mean);

    public static JointBayes Fit(List<float[][]> people, double lambda)
    {
        int d = people[0][0].Length;
        var mean = new double[d];
        int n = people.Sum(p => p.Length);
        foreach (var x in people.SelectMany(p => p)) for (int i = 0; i < d; i++) mean[i] += x[i] / (double)n;
        var sMu = new double[d * d];
        foreach (var person in people)
        {
            var mu = new double[d];
            foreach (var x in person) for (int i = 0; i < d; i++) mu[i] += (x[i] - mean[i]) / person.Length;
            for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) sMu[i * d + j] += mu[i] * mu[j] / people.Count;
        }
        PersonCovariance.Regularise(sMu, d, lambda);
        var sEps = PersonCovariance.Within(people, lambda);

        using var scope = NewDisposeScope();
        var mu_ = tensor(sMu, [d, d], ScalarType.Float64);
        var eps = tensor(sEps, [d, d], ScalarType.Float64);
        var f = linalg.inv(eps);
        var g = linalg.inv(mu_.mul(Convolve.Nn.Scalars.Of(2.0)).add(eps, Convolve.Nn.Scalars.One)).matmul(mu_).matmul(f).neg();   // G = −(2Sμ + Sε)⁻¹ Sμ Sε⁻¹
        var a = linalg.inv(mu_.add(eps, Convolve.Nn.Scalars.One)).sub(f.add(g, Convolve.Nn.Scalars.One));                 // A = (Sμ + Sε)⁻¹ − (F + G)
        return new JointBayes(ToArray(a, d), ToArray(g, d), mean);
    }

    public double Score(float[] x1, float[] x2)
    {
        int d = _mean.Length;
        var a = new double[d];
        var b = new double[d];
        for (int i = 0; i < d; i++) { a[i] = x1[i] - _mean[i]; b[i] = x2[i] - _mean[i]; }
        double r = 0;
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) r += _a[i, j] * (a[i] * a[j] + b[i] * b[j]) - 2 * _g[i, j] * a[i] * b[j];
        return r;
    }

    private static double[,] ToArray(Tensor t, int d)
    {
        var flat = t.data<double>().ToArray();
        var m = new double[d, d];
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) m[i, j] = flat[i * d + j];
        return m;
    }
}

/// <summary>Covariances of encodings grouped by person, for the scoring experiments (WCCN, Joint Bayesian).</summary>
internal static class PersonCovariance
{
    /// <summary>Sε: the mean over all encodings of (x − its person's mean)(x − its person's mean)ᵀ, plus λ·mean variance·I; row-major d×d.</summary>
    public static double[] Within(List<float[][]> people, double lambda)
    {
        int d = people[0][0].Length;
        var s = new double[d * d];
        int n = 0;
        foreach (var person in people)
        {
            var mu = new double[d];
            foreach (var x in person) for (int i = 0; i < d; i++) mu[i] += x[i] / (double)person.Length;
            foreach (var x in person)
            {
                for (int i = 0; i < d; i++)
                    for (int j = 0; j < d; j++) s[i * d + j] += (x[i] - mu[i]) * (x[j] - mu[j]);
                n++;
            }
        }
        for (int i = 0; i < s.Length; i++) s[i] /= n;
        Regularise(s, d, lambda);
        return s;
    }

    /// <summary>Adds λ times the mean diagonal to the diagonal.</summary>
    public static void Regularise(double[] s, int d, double lambda)
    {
        double trace = Enumerable.Range(0, d).Sum(i => s[i * d + i]) / d;
        for (int i = 0; i < d; i++) s[i * d + i] += lambda * trace;
    }
}
