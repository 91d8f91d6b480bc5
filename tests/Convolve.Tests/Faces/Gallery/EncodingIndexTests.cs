using Convolve.Faces.Gallery;

namespace Convolve.Tests.Faces.Gallery;

public class EncodingIndexTests
{
    [Fact]
    public void Nearest_row_per_label_matches_hand_computed_distances()
    {
        // Label 0 owns (0,0) and (10,0); label 1 owns (3,4).
        var index = new EncodingIndex(2, [[0, 0], [3, 4], [10, 0]], [0, 1, 0], 2);
        var distances = new float[2];

        index.NearestDistancePerLabel([7, 0], distances);

        Assert.Equal(3f, distances[0]);                      // |(7,0)-(10,0)|
        Assert.Equal(MathF.Sqrt(32f), distances[1], 1e-6f);  // |(7,0)-(3,4)| = sqrt(16+16)
        Assert.Equal((0, 3f), index.Nearest([7, 0]));
        Assert.Equal((1, 0f), index.Nearest([3, 4]));
        Assert.Equal(2, index.RowsOf(0));
    }

    [Theory]
    [InlineData(false, 3000)]
    [InlineData(true, 70_000)] // above the parallel threshold: exercises the split across cores
    public void Search_agrees_with_a_scalar_brute_force_loop(bool parallel, int rows)
    {
        const int dimension = 16, labels = 997;
        var random = new Random(7);
        var data = new List<float[]>();
        var owner = new List<int>();
        for (int i = 0; i < rows; i++)
        {
            data.Add(Enumerable.Range(0, dimension).Select(_ => (float)random.NextDouble() - 0.5f).ToArray());
            owner.Add(i < labels ? i : random.Next(labels));
        }
        var index = new EncodingIndex(dimension, data, owner, labels);
        float[] query = Enumerable.Range(0, dimension).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();

        var fast = new float[labels];
        index.NearestDistancePerLabel(query, fast, parallel);

        var expected = Enumerable.Repeat(double.PositiveInfinity, labels).ToArray();
        for (int i = 0; i < rows; i++)
        {
            double sum = 0;
            for (int j = 0; j < dimension; j++) sum += (data[i][j] - query[j]) * (double)(data[i][j] - query[j]);
            expected[owner[i]] = Math.Min(expected[owner[i]], Math.Sqrt(sum));
        }
        for (int k = 0; k < labels; k++) Assert.Equal(expected[k], fast[k], 1e-5);

        // Nearest and the batched NearestMany give the brute-force argmin for every query of a batch.
        float[][] queries = Enumerable.Range(0, 5).Select(_ => Enumerable.Range(0, dimension).Select(_ => (float)random.NextDouble() - 0.5f).ToArray()).ToArray();
        var batchLabels = new int[5];
        var batchDistances = new float[5];
        index.NearestMany(queries.SelectMany(q => q).ToArray(), batchLabels, batchDistances, parallel);
        for (int j = 0; j < queries.Length; j++)
        {
            index.NearestDistancePerLabel(queries[j], fast, parallel);
            int argmin = Array.IndexOf(fast, fast.Min());
            Assert.Equal((argmin, fast[argmin]), index.Nearest(queries[j], parallel));
            Assert.Equal((argmin, fast[argmin]), (batchLabels[j], batchDistances[j]));
        }
    }

    [Fact]
    public void Ties_go_to_the_lower_label()
    {
        var index = new EncodingIndex(2, [[1, 0], [0, 1], [1, 0]], [2, 1, 0], 3); // labels 0 and 2 hold the same row
        Assert.Equal((0, 0f), index.Nearest([1, 0]));
    }

    [Fact]
    public void Rejects_inconsistent_input()
    {
        Assert.Throws<ArgumentException>(() => new EncodingIndex(2, [[0, 0]], [0], 2));            // label 1 has no row
        Assert.Throws<ArgumentException>(() => new EncodingIndex(2, [[0, 0, 0]], [0], 1));         // wrong length
        Assert.Throws<ArgumentOutOfRangeException>(() => new EncodingIndex(2, [[0, 0]], [3], 1));  // label out of range
        var index = new EncodingIndex(2, [[0, 0]], [0], 1);
        Assert.Throws<ArgumentException>(() => index.Nearest([1, 2, 3]));
    }

    [Fact]
    public void Empty_index_answers_no_label()
    {
        var index = new EncodingIndex(4, [], [], 0);
        Assert.Equal((-1, float.PositiveInfinity), index.Nearest(new float[4]));
    }
}
