using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Convolve.Nn;

/// <summary>
/// Batch normalisation over the channel axis of [N, C, ...] inputs of any dimension, as torch.nn.BatchNormNd (affine,
/// running statistics with momentum 0.1, ε = 1e-5, the same state names: weight, bias, running_mean, running_var,
/// num_batches_tracked), computed by <c>F.batch_norm</c>. TorchSharp 0.107's own BatchNorm modules count batches with
/// a hidden implicit Scalar that a garbage collection on another thread can free mid-call (docs/torchsharp.md; it
/// crashed a 25-minute training run); this one counts with a scalar that is never finalized.
/// </summary>
internal sealed class BatchNorm : nn.Module<Tensor, Tensor>
{
    private const double Momentum = 0.1, Epsilon = 1e-5;

    private readonly Parameter weight, bias;
    private readonly Tensor running_mean, running_var, num_batches_tracked;

    public BatchNorm(long channels) : base(nameof(BatchNorm))
    {
        weight = new Parameter(ones(channels));
        bias = new Parameter(zeros(channels));
        running_mean = zeros(channels);
        running_var = ones(channels);
        num_batches_tracked = zeros(Array.Empty<long>(), ScalarType.Int64);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        if (training)
        {
            using var noGrad = no_grad();
            num_batches_tracked.add_(Scalars.One, Scalars.One);
        }
        return nn.functional.batch_norm(input, running_mean, running_var, weight, bias, training, Momentum, Epsilon);
    }
}
