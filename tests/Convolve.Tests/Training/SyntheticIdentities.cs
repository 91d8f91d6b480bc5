using Convolve.Data;

namespace Convolve.Tests.Training;

/// <summary>
/// Synthetic identity data made by the tests: each identity is a random prototype (1D: a waveform with its own
/// spectrum; 2D: a smooth random pattern; 3D: a configuration of Gaussian blobs), and each sample observes it
/// through nuisance variation (circular shifts, amplitude scaling, additive noise). Identities of different
/// seeds never coincide, so a set made with another seed is a set of people never seen in training.
/// </summary>
public static class SyntheticIdentities
{
    /// <summary>1D: the sum of three sinusoids of distinct frequencies (2–15 cycles per window), length 64.</summary>
    public static IdentityDataset Signals(int identities, int samplesPerIdentity, int seed, int length = 64)
    {
        var rng = new Random(seed);
        var data = new List<(int, float[])>();
        for (int id = 0; id < identities; id++)
        {
            var freqs = Enumerable.Range(2, 14).OrderBy(_ => rng.Next()).Take(3).ToArray();
            var amps = freqs.Select(_ => 0.5 + rng.NextDouble() * 0.5).ToArray();
            var phases = freqs.Select(_ => rng.NextDouble() * 2 * Math.PI).ToArray();
            for (int s = 0; s < samplesPerIdentity; s++)
            {
                int shift = rng.Next(length);
                double gain = 0.5 + rng.NextDouble() * 1.5;
                var x = new float[length];
                for (int t = 0; t < length; t++)
                {
                    double v = 0;
                    for (int k = 0; k < 3; k++) v += amps[k] * Math.Sin(2 * Math.PI * freqs[k] * (t + shift) / length + phases[k]);
                    x[t] = (float)(gain * v + 0.4 * Gaussian(rng));
                }
                data.Add((id, x));
            }
        }
        return IdentityDataset.InMemory(data, identities, new long[] { 1, length }, Modality.Signal);
    }

    /// <summary>2D: a random 6×6 grid bilinearly upsampled to size², shifted by up to ±3 px (circularly).</summary>
    public static IdentityDataset Patterns(int identities, int samplesPerIdentity, int seed, int size = 24)
    {
        var rng = new Random(seed);
        var data = new List<(int, float[])>();
        const int grid = 6;
        for (int id = 0; id < identities; id++)
        {
            var proto = SmoothPattern(rng, grid, size);
            for (int s = 0; s < samplesPerIdentity; s++)
            {
                int dy = rng.Next(-3, 4), dx = rng.Next(-3, 4);
                double gain = 0.6 + rng.NextDouble() * 0.8;
                var img = new float[size * size];
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                        img[y * size + x] = (float)(gain * proto[((y - dy) % size + size) % size, ((x - dx) % size + size) % size] + 0.3 * Gaussian(rng));
                data.Add((id, img));
            }
        }
        return IdentityDataset.InMemory(data, identities, new long[] { 1, size, size }, Modality.Image);
    }

    /// <summary>3D: three Gaussian blobs of random position, width and sign in a size³ volume, shifted by up to ±2 voxels (circularly).</summary>
    public static IdentityDataset Volumes(int identities, int samplesPerIdentity, int seed, int size = 12)
    {
        var rng = new Random(seed);
        var data = new List<(int, float[])>();
        for (int id = 0; id < identities; id++)
        {
            var blobs = Enumerable.Range(0, 3).Select(_ => (
                Z: 2 + rng.NextDouble() * (size - 4), Y: 2 + rng.NextDouble() * (size - 4), X: 2 + rng.NextDouble() * (size - 4),
                Sigma: 1.0 + rng.NextDouble() * 1.5, Amp: rng.Next(2) == 0 ? -1.0 : 1.0)).ToArray();
            for (int s = 0; s < samplesPerIdentity; s++)
            {
                int dz = rng.Next(-2, 3), dy = rng.Next(-2, 3), dx = rng.Next(-2, 3);
                double gain = 0.6 + rng.NextDouble() * 0.8;
                var v = new float[size * size * size];
                for (int z = 0; z < size; z++)
                    for (int y = 0; y < size; y++)
                        for (int x = 0; x < size; x++)
                        {
                            double sum = 0;
                            foreach (var b in blobs)
                            {
                                double ddz = Wrap(z - dz - b.Z, size), ddy = Wrap(y - dy - b.Y, size), ddx = Wrap(x - dx - b.X, size);
                                sum += b.Amp * Math.Exp(-(ddz * ddz + ddy * ddy + ddx * ddx) / (2 * b.Sigma * b.Sigma));
                            }
                            v[(z * size + y) * size + x] = (float)(gain * sum + 0.2 * Gaussian(rng));
                        }
                data.Add((id, v));
            }
        }
        return IdentityDataset.InMemory(data, identities, new long[] { 1, size, size, size }, Modality.Volume);
    }

    // A grid of N(0,1) values bilinearly upsampled, periodic so that circular shifts stay smooth.
    private static double[,] SmoothPattern(Random rng, int grid, int size)
    {
        var g = new double[grid, grid];
        for (int i = 0; i < grid; i++) for (int j = 0; j < grid; j++) g[i, j] = Gaussian(rng);
        var p = new double[size, size];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                double gy = (double)y * grid / size, gx = (double)x * grid / size;
                int y0 = (int)gy, x0 = (int)gx;
                double fy = gy - y0, fx = gx - x0;
                int y1 = (y0 + 1) % grid, x1 = (x0 + 1) % grid;
                p[y, x] = (1 - fy) * ((1 - fx) * g[y0, x0] + fx * g[y0, x1]) + fy * ((1 - fx) * g[y1, x0] + fx * g[y1, x1]);
            }
        return p;
    }

    private static double Wrap(double d, int n) => d - n * Math.Round(d / n);

    private static double Gaussian(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
}
