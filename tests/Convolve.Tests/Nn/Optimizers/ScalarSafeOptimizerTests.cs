using Convolve.Nn;
using Convolve.Nn.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Adam = Convolve.Nn.Optimizers.Adam;

namespace Convolve.Tests.Nn.Optimizers;

/// <summary>
/// Our scalar-safe Adam and SGD against TorchSharp's own optim.Adam / optim.SGD (the PyTorch updates): the same
/// parameters after every step of a small least-squares problem, with weight decay, momentum and a learning-rate change;
/// saved state resumes exactly; foreign state files are refused by name.
/// </summary>
public class ScalarSafeOptimizerTests
{
    // A 3-layer least-squares problem whose gradients change every step.
    private static (Parameter[] Params, Func<Tensor> Loss) Problem(Tensor[] start)
    {
        var ps = start.Select(t => new Parameter(t.clone())).ToArray();
        var generator = new Generator(7);
        var x = randn([32, 6], generator: generator);
        var y = randn([32, 2], generator: generator);
        return (ps, () => x.matmul(ps[0]).add(ps[1], Scalars.One).tanh().matmul(ps[2]).sub(y).pow(Scalars.Of(2)).mean());
    }

    private static Tensor[] Start()
    {
        var generator = new Generator(3);
        return [randn([6, 8], generator: generator), randn([8], generator: generator), randn([8, 2], generator: generator)];
    }

    private static void Run(Func<Tensor> loss, Action zero, Action step)
    {
        zero();
        loss().backward();
        step();
    }

    [Theory]
    [InlineData("adam")]
    [InlineData("sgd")]
    public void FollowsTorchSharpsOptimizerStepForStep(string kind)
    {
        using var scope = NewDisposeScope();
        var start = Start();
        var (ours, oursLoss) = Problem(start);
        var (theirs, theirsLoss) = Problem(start);
        using ScalarSafeOptimizer optimizer = kind == "adam" ? new Adam(ours, 0.05, weightDecay: 1e-3) : new Sgd(ours, 0.05, momentum: 0.9, weightDecay: 1e-3);
        using optim.Optimizer reference = kind == "adam" ? optim.Adam(theirs, 0.05, weight_decay: 1e-3) : optim.SGD(theirs, 0.05, momentum: 0.9, weight_decay: 1e-3);
        double first = oursLoss().item<float>();
        for (int step = 0; step < 30; step++)
        {
            if (step == 15)
            {
                // A schedule lowers the rate mid-run.
                optimizer.LearningRate = 0.01;
                foreach (var group in reference.ParamGroups) group.LearningRate = 0.01;
            }
            Run(oursLoss, optimizer.ZeroGrad, optimizer.Step);
            Run(theirsLoss, reference.zero_grad, () => reference.step());
            for (int i = 0; i < ours.Length; i++)
                Assert.True(ours[i].allclose(theirs[i], rtol: 1e-5, atol: 1e-6), $"{kind}: parameter {i} differs after step {step + 1}");
        }
        Assert.True(oursLoss().item<float>() < first / 2, "the loss must fall");
        Assert.Equal(30, optimizer.Steps);
    }

    [Theory]
    [InlineData("adam")]
    [InlineData("sgd")]
    public void SavedStateResumesExactly(string kind)
    {
        using var scope = NewDisposeScope();
        ScalarSafeOptimizer Make(Parameter[] ps) => kind == "adam" ? new Adam(ps, 0.05) : new Sgd(ps, 0.05, momentum: 0.9);
        var start = Start();
        var (straight, straightLoss) = Problem(start);
        using (var optimizer = Make(straight))
            for (int step = 0; step < 10; step++) Run(straightLoss, optimizer.ZeroGrad, optimizer.Step);

        string path = Path.Combine(Path.GetTempPath(), $"convolve-opt-{Guid.NewGuid():N}.bin");
        try
        {
            var (resumed, resumedLoss) = Problem(start);
            using (var first = Make(resumed))
            {
                for (int step = 0; step < 5; step++) Run(resumedLoss, first.ZeroGrad, first.Step);
                first.Save(path);
            }
            using var second = Make(resumed);
            second.Load(path);
            Assert.Equal(5, second.Steps);
            for (int step = 0; step < 5; step++) Run(resumedLoss, second.ZeroGrad, second.Step);
            for (int i = 0; i < straight.Length; i++) Assert.True(straight[i].eq(resumed[i]).all().item<bool>(), $"{kind}: parameter {i} differs after resuming");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ForeignOrMismatchedStateIsRefusedByName()
    {
        using var scope = NewDisposeScope();
        var (ps, _) = Problem(Start());
        string path = Path.Combine(Path.GetTempPath(), $"convolve-opt-{Guid.NewGuid():N}.bin");
        try
        {
            File.WriteAllBytes(path, [1, 2, 3, 4, 5, 6, 7, 8]);
            using var adam = new Adam(ps);
            var e = Assert.Throws<InvalidInputException>(() => adam.Load(path));
            Assert.Contains(path, e.Message);

            using (var sgd = new Sgd(ps, 0.1, momentum: 0.9)) sgd.Save(path);
            e = Assert.Throws<InvalidInputException>(() => adam.Load(path));
            Assert.Contains("sgd", e.Message);
            Assert.Equal(0, adam.Steps);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
