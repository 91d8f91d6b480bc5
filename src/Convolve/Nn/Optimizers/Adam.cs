using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Convolve.Nn.Optimizers;

/// <summary>
/// Adam (Kingma &amp; Ba 2015) with L2 weight decay, as PyTorch's <c>torch.optim.Adam</c> (amsgrad off), every
/// constant passed as a kept scalar.
/// </summary>
internal sealed class Adam : ScalarSafeOptimizer
{
    private readonly Tensor[] _m, _v;
    private readonly double _beta1, _beta2, _eps, _weightDecay;

    public Adam(IEnumerable<Parameter> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0) : base(parameters, learningRate)
    {
        if (beta1 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "must be in [0, 1)");
        if (beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "must be in [0, 1)");
        (_beta1, _beta2, _eps, _weightDecay) = (beta1, beta2, eps, weightDecay);
        _m = Parameters.Select(StateLike).ToArray();
        _v = Parameters.Select(StateLike).ToArray();
    }

    protected override string Kind => "adam";

    protected override IEnumerable<Tensor> StateOf(int index) => [_m[index], _v[index]];

    protected override void Update(IReadOnlyList<(int Index, Parameter P, Tensor Grad)> withGradients, long step)
    {
        using var beta1 = _beta1.ToScalar();
        using var beta2 = _beta2.ToScalar();
        using var oneMinusBeta1 = (1 - _beta1).ToScalar();
        using var oneMinusBeta2 = (1 - _beta2).ToScalar();
        using var eps = _eps.ToScalar();
        using var sqrtBias2 = Math.Sqrt(1 - Math.Pow(_beta2, step)).ToScalar();
        using var negStep = (-LearningRate / (1 - Math.Pow(_beta1, step))).ToScalar();
        using var decay = _weightDecay.ToScalar();
        foreach (var (i, p, grad) in withGradients)
        {
            Tensor g = _weightDecay != 0 ? grad.add(p, decay) : grad;                 // g ← g + λθ
            _m[i].mul_(beta1).add_(g, oneMinusBeta1);                                 // m ← β₁m + (1−β₁)g
            _v[i].mul_(beta2).addcmul_(g, g, oneMinusBeta2);                          // v ← β₂v + (1−β₂)g²
            var denominator = _v[i].sqrt().div_(sqrtBias2).add_(eps, Scalars.One);    // √(v/(1−β₂ᵗ)) + ε
            p.addcdiv_(_m[i], denominator, negStep);                                  // θ ← θ − η/(1−β₁ᵗ) · m / denominator
        }
    }
}
