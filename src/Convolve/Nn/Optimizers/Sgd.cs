using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Convolve.Nn.Optimizers;

/// <summary>
/// Stochastic gradient descent with momentum and L2 weight decay, as PyTorch's <c>torch.optim.SGD</c> (no dampening,
/// no Nesterov), every constant passed as a kept scalar.
/// </summary>
internal sealed class Sgd : ScalarSafeOptimizer
{
    private readonly Tensor[] _velocity;
    private readonly double _momentum, _weightDecay;

    public Sgd(IEnumerable<Parameter> parameters, double learningRate, double momentum = 0, double weightDecay = 0) : base(parameters, learningRate)
    {
        if (!(momentum >= 0)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "must be non-negative");
        (_momentum, _weightDecay) = (momentum, weightDecay);
        _velocity = momentum != 0 ? Parameters.Select(StateLike).ToArray() : [];
    }

    protected override string Kind => "sgd";

    protected override IEnumerable<Tensor> StateOf(int index) => _momentum != 0 ? [_velocity[index]] : [];

    protected override void Update(IReadOnlyList<(int Index, Parameter P, Tensor Grad)> withGradients, long step)
    {
        using var decay = _weightDecay.ToScalar();
        using var momentum = _momentum.ToScalar();
        using var negRate = (-LearningRate).ToScalar();
        foreach (var (i, p, grad) in withGradients)
        {
            Tensor g = _weightDecay != 0 ? grad.add(p, decay) : grad;      // g ← g + λθ
            if (_momentum != 0)
            {
                var b = _velocity[i];
                if (step == 1) b.copy_(g);                                  // b₁ ← g₁ (PyTorch starts from the gradient)
                else b.mul_(momentum).add_(g, Scalars.One);                 // b ← μb + g
                g = b;
            }
            p.add_(g, negRate);                                             // θ ← θ − η·g
        }
    }
}
