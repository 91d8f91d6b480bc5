namespace Convolve.Data;

/// <summary>A random change of one training sample [C, spatial...] in place; all randomness comes from the given generator.</summary>
public interface ISampleAugmentation
{
    /// <summary>Changes <paramref name="sample"/> (C-order, shape <paramref name="shape"/>) in place.</summary>
    void Apply(float[] sample, long[] shape, Random random);
}

/// <summary>Image augmentation: horizontal flip, pad-and-crop shift, brightness/contrast/saturation jitter.</summary>
public sealed record ImageAugmentation(bool Flip = true, int MaxShift = 4, double Brightness = 0.2, double Contrast = 0.2, double Saturation = 0.2) : ISampleAugmentation
{
    /// <inheritdoc />
    public void Apply(float[] sample, long[] shape, Random random)
    {
        int c = (int)shape[0], h = (int)shape[1], w = (int)shape[2];
        if (Flip && random.Next(2) == 1)
            for (int ch = 0; ch < c; ch++)
                for (int y = 0; y < h; y++)
                    Array.Reverse(sample, (ch * h + y) * w, w);
        if (MaxShift > 0) Shifts.Shift(sample, shape, new[] { random.Next(-MaxShift, MaxShift + 1), random.Next(-MaxShift, MaxShift + 1) }, circular: false);
        double brightness = Jitter(random, Brightness), contrast = 1 + Jitter(random, Contrast), saturation = 1 + Jitter(random, Saturation);
        int plane = h * w;
        double mean = sample.Average();
        for (int i = 0; i < plane; i++)
        {
            double grey = 0;
            for (int ch = 0; ch < c; ch++) grey += sample[ch * plane + i];
            grey /= c;
            for (int ch = 0; ch < c; ch++)
            {
                double v = sample[ch * plane + i];
                v = grey + (v - grey) * saturation;       // saturation around the pixel's grey
                v = mean + (v - mean) * contrast + brightness; // contrast around the image mean, then brightness
                sample[ch * plane + i] = (float)Math.Clamp(v, -1, 1);
            }
        }
    }

    private static double Jitter(Random r, double amount) => (r.NextDouble() * 2 - 1) * amount;
}

/// <summary>Signal and volume augmentation: circular shift along each axis, random gain, additive Gaussian noise, optional flips.</summary>
public sealed record ArrayAugmentation(int MaxShift = 4, double MinGain = 0.8, double MaxGain = 1.25, double NoiseStd = 0.05, bool Flip = false) : ISampleAugmentation
{
    /// <inheritdoc />
    public void Apply(float[] sample, long[] shape, Random random)
    {
        int dims = shape.Length - 1;
        if (Flip) Shifts.FlipAxes(sample, shape, Enumerable.Range(0, dims).Where(_ => random.Next(2) == 1).ToArray());
        if (MaxShift > 0) Shifts.Shift(sample, shape, Enumerable.Range(0, dims).Select(_ => random.Next(-MaxShift, MaxShift + 1)).ToArray(), circular: true);
        double gain = MinGain + random.NextDouble() * (MaxGain - MinGain);
        for (int i = 0; i < sample.Length; i++) sample[i] = (float)(sample[i] * gain + NoiseStd * Gaussian(random));
    }

    /// <summary>A standard normal draw (Box–Muller).</summary>
    public static double Gaussian(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
}

/// <summary>Moves and flips of C-order arrays [C, spatial...].</summary>
public static class Shifts
{
    /// <summary>
    /// Moves the content by <paramref name="offsets"/> along each spatial axis: wrapping around when
    /// <paramref name="circular"/>, else filling the uncovered border with the nearest edge value.
    /// </summary>
    public static void Shift(float[] sample, long[] shape, int[] offsets, bool circular)
    {
        if (offsets.All(o => o == 0)) return;
        Remap(sample, shape, (k, at, n) =>
        {
            long from = at - offsets[k];
            return circular ? ((from % n) + n) % n : Math.Clamp(from, 0, n - 1);
        });
    }

    /// <summary>Mirrors the content along the given spatial axes (0 = first spatial axis).</summary>
    public static void FlipAxes(float[] sample, long[] shape, int[] axes)
    {
        if (axes.Length == 0) return;
        Remap(sample, shape, (k, at, n) => axes.Contains(k) ? n - 1 - at : at);
    }

    /// <summary>
    /// Rewrites every channel in place: output position i takes the source value at the position whose coordinate
    /// along spatial axis k is <paramref name="sourceCoordinate"/>(k, coordinate of i along k, size of axis k).
    /// </summary>
    private static void Remap(float[] sample, long[] shape, Func<int, long, long, long> sourceCoordinate)
    {
        var source = (float[])sample.Clone();
        int dims = shape.Length - 1;
        var index = new long[dims];
        long spatial = sample.Length / shape[0];
        for (long ch = 0; ch < shape[0]; ch++)
            for (long i = 0; i < spatial; i++)
            {
                long rest = i, src = 0;
                for (int k = dims - 1; k >= 0; k--) { index[k] = rest % shape[k + 1]; rest /= shape[k + 1]; }
                for (int k = 0; k < dims; k++) src = src * shape[k + 1] + sourceCoordinate(k, index[k], shape[k + 1]);
                sample[ch * spatial + i] = source[ch * spatial + src];
            }
    }
}
