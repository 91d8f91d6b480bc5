using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Convolve.Nn.Optimizers;

/// <summary>
/// A first-order optimizer whose update passes only scalars it keeps alive, unlike TorchSharp 0.107's <c>optim.Adam</c>
/// and <c>optim.SGD</c>, whose steps make implicit <see cref="Scalar"/>s that a garbage collection on another thread can
/// free while libtorch reads them (docs/torchsharp.md; <c>bench … scalar-race --optimizer</c> reproduces it).
/// The updates are PyTorch's (and TorchSharp's); the state is saved in a format of our own.
/// </summary>
internal abstract class ScalarSafeOptimizer : IDisposable
{
    private const string Magic = "convolve-optimizer/1";

    /// <summary>The parameters updated, in order.</summary>
    protected IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Steps taken so far.</summary>
    public long Steps { get; private set; }

    /// <summary>The step size; may change between steps (schedules).</summary>
    public double LearningRate { get; set; }

    protected ScalarSafeOptimizer(IEnumerable<Parameter> parameters, double learningRate)
    {
        Parameters = parameters.ToList();
        if (Parameters.Count == 0) throw new ArgumentException("no parameters to optimise");
        if (!(learningRate >= 0)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "must be non-negative");
        LearningRate = learningRate;
    }

    /// <summary>Name written into saved state, checked on load.</summary>
    protected abstract string Kind { get; }

    /// <summary>The state tensors of parameter <paramref name="index"/>, saved and loaded in this order.</summary>
    protected abstract IEnumerable<Tensor> StateOf(int index);

    /// <summary>
    /// Updates every parameter of <paramref name="withGradients"/> in place from its gradient; <paramref name="step"/>
    /// counts from 1. The step's scalars are made once here, not once per parameter.
    /// </summary>
    protected abstract void Update(IReadOnlyList<(int Index, Parameter P, Tensor Grad)> withGradients, long step);

    /// <summary>Zeroes every gradient.</summary>
    public void ZeroGrad()
    {
        using var scope = NewDisposeScope(); // each p.grad is a new handle
        foreach (var p in Parameters) p.grad?.zero_();
    }

    /// <summary>One update of every parameter that has a gradient.</summary>
    public void Step()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Steps++;
        var withGradients = new List<(int, Parameter, Tensor)>(Parameters.Count);
        for (int i = 0; i < Parameters.Count; i++)
            if (Parameters[i].grad is { } grad) withGradients.Add((i, Parameters[i], grad));
        Update(withGradients, Steps);
    }

    /// <summary>Writes the step count and every state tensor to <paramref name="path"/>.</summary>
    public void Save(string path)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(Magic);
        writer.Write(Kind);
        writer.Write(Steps);
        writer.Write(Parameters.Count);
        for (int i = 0; i < Parameters.Count; i++)
            foreach (var t in StateOf(i)) t.Save(writer);
    }

    /// <summary>Reads what <see cref="Save"/> wrote for the same parameters; anything else is an <see cref="InvalidInputException"/>.</summary>
    public void Load(string path)
    {
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            if (reader.ReadString() != Magic) throw new InvalidInputException(path, "is not a Convolve optimiser state (older checkpoints used TorchSharp's format)");
            string kind = reader.ReadString();
            if (kind != Kind) throw new InvalidInputException(path, $"holds {kind} state, not {Kind}");
            long steps = reader.ReadInt64();
            if (reader.ReadInt32() != Parameters.Count) throw new InvalidInputException(path, "was saved for a different set of parameters");
            using var noGrad = no_grad();
            for (int i = 0; i < Parameters.Count; i++)
                foreach (var t in StateOf(i)) t.Load(reader);
            Steps = steps;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or FormatException)
        {
            throw new InvalidInputException(path, "is not a readable optimiser state: " + e.Message, e);
        }
    }

    /// <summary>Frees the state tensors.</summary>
    public void Dispose()
    {
        for (int i = 0; i < Parameters.Count; i++)
            foreach (var t in StateOf(i)) t.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A zero tensor shaped like <paramref name="p"/> that outlives every dispose scope (optimiser state).</summary>
    protected static Tensor StateLike(Parameter p)
    {
        using var noGrad = no_grad();
        return zeros_like(p).DetachFromDisposeScope();
    }
}
