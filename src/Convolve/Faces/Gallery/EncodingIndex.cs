using System.Numerics.Tensors;

namespace Convolve.Faces.Gallery;

/// <summary>
/// An immutable in-memory matrix of encodings (one row per sample, rows of one label stored contiguously) that
/// answers "how far is this query from each label's nearest row" with SIMD distance kernels
/// (<see cref="TensorPrimitives"/>). Built once from the gallery and shared by concurrent readers.
/// </summary>
public sealed class EncodingIndex
{
    // Above this many rows a query is split across cores; below it the thread hand-off costs more than it saves.
    private const int ParallelRowThreshold = 1 << 16;

    private readonly float[] _matrix;        // row-major, Count x Dimension
    private readonly int[] _labelStart;      // rows of label k are [_labelStart[k], _labelStart[k + 1])

    /// <summary>
    /// Builds the index from rows and their labels (0..labelCount-1). Rows are regrouped by label; every label must
    /// own at least one row.
    /// </summary>
    public EncodingIndex(int dimension, IReadOnlyList<float[]> rows, IReadOnlyList<int> labels, int labelCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (rows.Count != labels.Count) throw new ArgumentException("rows and labels differ in length", nameof(labels));
        var perLabel = new int[labelCount + 1];
        foreach (int label in labels)
        {
            if ((uint)label >= (uint)labelCount) throw new ArgumentOutOfRangeException(nameof(labels), $"label {label} is outside 0..{labelCount - 1}");
            perLabel[label + 1]++;
        }
        for (int k = 0; k < labelCount; k++)
        {
            if (perLabel[k + 1] == 0) throw new ArgumentException($"label {k} has no row", nameof(labels));
            perLabel[k + 1] += perLabel[k];
        }
        _labelStart = perLabel;
        _matrix = new float[(long)rows.Count * dimension];
        var next = (int[])perLabel.Clone();
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != dimension) throw new ArgumentException($"row {i} has {rows[i].Length} values, expected {dimension}", nameof(rows));
            rows[i].CopyTo(_matrix.AsSpan(next[labels[i]]++ * dimension, dimension));
        }
        Dimension = dimension;
        Count = rows.Count;
        LabelCount = labelCount;
    }

    /// <summary>Wraps an existing row-major matrix in which label k owns rows [labelStart[k], labelStart[k+1]).</summary>
    internal EncodingIndex(int dimension, float[] matrix, int[] labelStart)
    {
        Dimension = dimension;
        _matrix = matrix;
        _labelStart = labelStart;
        Count = matrix.Length / dimension;
        LabelCount = labelStart.Length - 1;
        if (labelStart[0] != 0 || _labelStart[^1] != Count) throw new ArgumentException("label ranges do not cover the matrix", nameof(labelStart));
        for (int k = 0; k < LabelCount; k++)
            if (labelStart[k + 1] <= labelStart[k]) throw new ArgumentException($"label {k} has no row", nameof(labelStart));
    }

    /// <summary>Length of each encoding.</summary>
    public int Dimension { get; }

    /// <summary>Number of rows (samples).</summary>
    public int Count { get; }

    /// <summary>Number of labels (identities).</summary>
    public int LabelCount { get; }

    /// <summary>Number of rows that belong to <paramref name="label"/>.</summary>
    public int RowsOf(int label) => _labelStart[label + 1] - _labelStart[label];

    /// <summary>
    /// Writes into <paramref name="distances"/> (length <see cref="LabelCount"/>) the euclidean distance from
    /// <paramref name="query"/> to the nearest row of each label.
    /// </summary>
    public void NearestDistancePerLabel(ReadOnlySpan<float> query, Span<float> distances, bool allowParallel = true)
    {
        if (query.Length != Dimension) throw new ArgumentException($"query has {query.Length} values, expected {Dimension}", nameof(query));
        if (distances.Length != LabelCount) throw new ArgumentException($"expected {LabelCount} outputs", nameof(distances));
        if (!allowParallel || Count < ParallelRowThreshold || Environment.ProcessorCount == 1)
        {
            ScanLabels(query, distances, 0, LabelCount);
            return;
        }
        // Split labels into contiguous ranges of roughly equal row counts, one per core.
        int parts = Environment.ProcessorCount;
        var bounds = new int[parts + 1];
        for (int p = 1, k = 0; p < parts; p++)
        {
            long target = (long)Count * p / parts;
            while (k < LabelCount && _labelStart[k] < target) k++;
            bounds[p] = k;
        }
        bounds[parts] = LabelCount;
        float[] q = query.ToArray();
        float[] outputs = new float[LabelCount];
        Parallel.For(0, parts, p => ScanLabels(q, outputs, bounds[p], bounds[p + 1]));
        outputs.CopyTo(distances);
    }

    /// <summary>The label whose nearest row is closest to <paramref name="query"/>, and that distance; (-1, +inf) when empty.</summary>
    public (int Label, float Distance) Nearest(ReadOnlySpan<float> query, bool allowParallel = true)
    {
        Span<int> label = stackalloc int[1];
        Span<float> distance = stackalloc float[1];
        NearestMany(query, label, distance, allowParallel);
        return (label[0], distance[0]);
    }

    /// <summary>
    /// <see cref="Nearest"/> for several queries at once (<paramref name="queries"/> row-major, one query per
    /// <see cref="Dimension"/> values): the matrix is streamed from memory once for the whole batch, so the faces of a
    /// group photo cost little more than one. Ties go to the lower label.
    /// </summary>
    public void NearestMany(ReadOnlySpan<float> queries, Span<int> labels, Span<float> distances, bool allowParallel = true)
    {
        if (queries.Length % Dimension != 0) throw new ArgumentException($"queries must hold a multiple of {Dimension} values", nameof(queries));
        int count = queries.Length / Dimension;
        if (labels.Length != count || distances.Length != count) throw new ArgumentException($"expected {count} outputs");
        labels.Fill(-1);
        distances.Fill(float.PositiveInfinity);
        if (count == 0 || Count == 0) return;
        if (!allowParallel || Count < ParallelRowThreshold || Environment.ProcessorCount == 1)
        {
            ScanRows(queries, 0, Count, labels, distances);
            return;
        }
        int parts = Environment.ProcessorCount;
        float[] q = queries.ToArray();
        var partLabels = new int[parts][];
        var partDistances = new float[parts][];
        Parallel.For(0, parts, p =>
        {
            partLabels[p] = new int[count];
            partDistances[p] = new float[count];
            partLabels[p].AsSpan().Fill(-1);
            partDistances[p].AsSpan().Fill(float.PositiveInfinity);
            ScanRows(q, (int)((long)Count * p / parts), (int)((long)Count * (p + 1) / parts), partLabels[p], partDistances[p]);
        });
        // Parts cover increasing rows, hence increasing labels: a strict < keeps the lower label on ties.
        for (int p = 0; p < parts; p++)
            for (int j = 0; j < count; j++)
                if (partDistances[p][j] < distances[j]) (distances[j], labels[j]) = (partDistances[p][j], partLabels[p][j]);
    }

    /// <summary>Nearest row (and its label) among rows [first, end) for each query; nearest-sample argmin = argmin over rows.</summary>
    private void ScanRows(ReadOnlySpan<float> queries, int first, int end, Span<int> labels, Span<float> distances)
    {
        // A block of rows small enough to stay in cache while every query of the batch is compared with it.
        const int Block = 256;
        int d = Dimension, count = queries.Length / d;
        ReadOnlySpan<float> matrix = _matrix;
        Span<float> rowDistances = stackalloc float[Block];
        Span<int> bestRow = count <= 64 ? stackalloc int[count] : new int[count];
        bestRow.Fill(-1);
        for (int blockStart = first; blockStart < end; blockStart += Block)
        {
            int n = Math.Min(Block, end - blockStart);
            ReadOnlySpan<float> rows = matrix.Slice(blockStart * d, n * d);
            for (int j = 0; j < count; j++)
            {
                ReadOnlySpan<float> query = queries.Slice(j * d, d);
                for (int i = 0; i < n; i++)
                    // sqrt(sum((r - q)^2)); the SIMD kernel covers a row in Dimension / Vector256<float>.Count steps.
                    rowDistances[i] = TensorPrimitives.Distance(rows.Slice(i * d, d), query);
                int best = TensorPrimitives.IndexOfMin(rowDistances[..n]);
                if (rowDistances[best] < distances[j])
                {
                    distances[j] = rowDistances[best];
                    bestRow[j] = blockStart + best;
                }
            }
        }
        for (int j = 0; j < count; j++)
            if (bestRow[j] >= 0) labels[j] = LabelOfRow(bestRow[j]);
    }

    /// <summary>The label owning <paramref name="row"/> (binary search over the label ranges).</summary>
    private int LabelOfRow(int row)
    {
        int k = Array.BinarySearch(_labelStart, 0, LabelCount, row); // label starts are strictly increasing
        return k >= 0 ? k : ~k - 1;
    }

    private void ScanLabels(ReadOnlySpan<float> query, Span<float> distances, int firstLabel, int endLabel)
    {
        // Rows of consecutive labels are contiguous: stream through them a block at a time (distances of a block
        // first, then the per-label minimum), so a label with one row costs no more than one row.
        const int Block = 1024;
        Span<float> rowDistances = stackalloc float[Block];
        ReadOnlySpan<float> matrix = _matrix;
        int d = Dimension;
        int label = firstLabel;
        float best = float.PositiveInfinity;
        for (int blockStart = _labelStart[firstLabel], end = _labelStart[endLabel]; blockStart < end; blockStart += Block)
        {
            int n = Math.Min(Block, end - blockStart);
            ReadOnlySpan<float> rows = matrix.Slice(blockStart * d, n * d);
            for (int i = 0; i < n; i++)
                // sqrt(sum((r - q)^2)); the SIMD kernel covers a row in Dimension / Vector256<float>.Count steps.
                rowDistances[i] = TensorPrimitives.Distance(rows.Slice(i * d, d), query);
            int row = blockStart;
            while (row < blockStart + n)
            {
                int stop = Math.Min(_labelStart[label + 1], blockStart + n);
                best = Math.Min(best, TensorPrimitives.Min(rowDistances.Slice(row - blockStart, stop - row)));
                row = stop;
                if (row == _labelStart[label + 1])
                {
                    distances[label++] = best;
                    best = float.PositiveInfinity;
                }
            }
        }
    }
}
