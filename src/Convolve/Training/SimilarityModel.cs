using Convolve.Data;
using Convolve.Nn;
using static TorchSharp.torch;

namespace Convolve.Training;

/// <summary>
/// A trained similarity function: the encoder f (a <see cref="ResidualNetwork"/>, or the fine-tuned face network
/// <see cref="Models.FaceRecognitionNet"/>) and, when trained with the binary
/// loss, the Siamese head. Scores are "higher = more likely the same identity": the head's logit, or −‖f(a)−f(b)‖².
/// </summary>
public sealed class SimilarityModel : IDisposable
{
    /// <summary>Wraps an encoder and an optional head.</summary>
    public SimilarityModel(nn.Module<Tensor, Tensor> encoder, SiameseHead? head, Modality modality, long[] inputShape)
    {
        Encoder = encoder;
        Head = head;
        Modality = modality;
        InputShape = inputShape;
    }

    /// <summary>The encoder f.</summary>
    public nn.Module<Tensor, Tensor> Encoder { get; }

    /// <summary>The binary head, when the model was trained with it.</summary>
    public SiameseHead? Head { get; }

    /// <summary>The kind of input.</summary>
    public Modality Modality { get; }

    /// <summary>Shape of one input sample [C, spatial...].</summary>
    public long[] InputShape { get; }

    /// <summary>The encodings of <paramref name="samples"/> (each a C-order float array of <see cref="InputShape"/>), in evaluation mode.</summary>
    public float[][] Encode(IReadOnlyList<float[]> samples, int batchSize = 64)
    {
        bool wasTraining = Encoder.training;
        Encoder.eval();
        try
        {
            var result = new float[samples.Count][];
            long length = InputShape.Aggregate(1L, (a, b) => a * b);
            for (int start = 0; start < samples.Count; start += batchSize)
            {
                int n = Math.Min(batchSize, samples.Count - start);
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var flat = new float[n * length];
                for (int i = 0; i < n; i++) samples[start + i].CopyTo(flat, i * length);
                var e = Encoder.forward(tensor(flat, new long[] { n }.Concat(InputShape).ToArray())).contiguous();
                var values = e.data<float>().ToArray();
                int d = (int)e.shape[1];
                for (int i = 0; i < n; i++) result[start + i] = values.AsSpan(i * d, d).ToArray();
            }
            return result;
        }
        finally { Encoder.train(wasTraining); }
    }

    /// <summary>The encoding of one sample.</summary>
    public float[] Encode(float[] sample) => Encode(new[] { sample })[0];

    /// <summary>Scores pairs of encodings: the head's logit when there is a head, else minus the squared distance.</summary>
    public double[] Score(IReadOnlyList<(float[] First, float[] Second)> pairs) =>
        Head is null ? pairs.Select(p => -SquaredDistance(p.First, p.Second)).ToArray() : Head.Score(pairs);

    /// <summary>‖a − b‖².</summary>
    public static double SquaredDistance(float[] a, float[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) { double d = a[i] - b[i]; s += d * d; }
        return s;
    }

    /// <summary>The parameters the optimiser updates: the encoder's trainable ones (all, unless some are frozen) and the head's.</summary>
    public IReadOnlyList<TorchSharp.Modules.Parameter> TrainableParameters() =>
        Encoder.parameters().Concat(Head?.parameters() ?? []).Where(p => p.requires_grad).ToList();

    /// <summary>All weights and buffers, named "encoder.…" and "head.…".</summary>
    internal Dictionary<string, Tensor> StateDict()
    {
        var all = new Dictionary<string, Tensor>();
        foreach (var (k, v) in Encoder.state_dict()) all["encoder." + k] = v;
        if (Head != null) foreach (var (k, v) in Head.state_dict()) all["head." + k] = v;
        return all;
    }

    /// <summary>Loads weights saved by <see cref="StateDict"/>; every tensor must be present with its shape.</summary>
    internal void LoadStateDict(Dictionary<string, Tensor> state, string source)
    {
        Load(Encoder, "encoder.", state, source);
        if (Head != null) Load(Head, "head.", state, source);
    }

    private static void Load(nn.Module module, string prefix, Dictionary<string, Tensor> state, string source)
    {
        using var noGrad = no_grad();
        foreach (var (name, target) in module.state_dict())
        {
            if (!state.TryGetValue(prefix + name, out var value))
                throw new InvalidInputException(source, $"lacks tensor '{prefix + name}'");
            if (!value.shape.SequenceEqual(target.shape))
                throw new InvalidInputException(source, $"tensor '{prefix + name}' is [{string.Join(",", value.shape)}], the network needs [{string.Join(",", target.shape)}]");
            target.copy_(value);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Encoder.Dispose();
        Head?.Dispose();
    }
}
