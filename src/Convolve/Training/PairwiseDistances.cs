using static TorchSharp.torch;

namespace Convolve.Training;

/// <summary>Squared Euclidean distances between every two rows of a batch of embeddings.</summary>
public static class PairwiseDistances
{
    /// <summary>d[i,j] = ‖eᵢ − eⱼ‖² for embeddings [B, D]; differentiable, exact (no ‖a‖²+‖b‖²−2ab cancellation).</summary>
    public static Tensor SquaredEuclidean(Tensor embeddings)
    {
        using var scope = NewDisposeScope();
        var diff = embeddings.unsqueeze(1).sub(embeddings.unsqueeze(0));
        return diff.pow(Nn.Scalars.Of(2)).sum(-1).MoveToOuterDisposeScope();
    }

    /// <summary>The same distances as a detached double matrix, for the miners.</summary>
    public static double[,] ToMatrix(Tensor distances)
    {
        int n = (int)distances.shape[0];
        var flat = distances.detach().to_type(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
        var m = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) m[i, j] = flat[i * n + j];
        return m;
    }
}
