using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Convolve.Faces.Gallery;

public sealed partial class FaceGallery
{
    /// <summary>What identification searches: identity names (label k is Identities[k]) and their encodings.</summary>
    private sealed record Snapshot(string[] Identities, Dictionary<string, int> LabelOf, EncodingIndex Index);

    private T Locked<T>(Func<T> action)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                return action();
            }
            catch (SqliteException e)
            {
                throw GalleryDatabase.Translate(Path, e);
            }
        }
    }

    /// <summary>Runs <paramref name="action"/> in one write transaction (taken at once, so concurrent writers queue).</summary>
    private T Write<T>(Func<SqliteTransaction, T> action) => Locked(() =>
    {
        using SqliteTransaction transaction = _connection.BeginTransaction(deferred: false);
        T result = action(transaction); // an exception here disposes the transaction uncommitted: a rollback
        transaction.Commit();
        _snapshot = null;
        return result;
    });

    private int NonQuery(SqliteTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return command.ExecuteNonQuery();
    }

    private long Count(SqliteTransaction transaction, string identity)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT count(*) FROM faces WHERE identity = $a";
        command.Parameters.AddWithValue("$a", identity);
        return (long)command.ExecuteScalar()!;
    }

    private string? Meta(string key)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT value FROM meta WHERE key = $k";
        command.Parameters.AddWithValue("$k", key);
        return command.ExecuteScalar() as string;
    }

    /// <summary>
    /// The search snapshot, loaded once and reloaded only after a change: ours (we drop it on commit) or another
    /// connection's (PRAGMA data_version moves).
    /// </summary>
    private Snapshot CurrentSnapshot() => Locked(() =>
    {
        long version = GalleryDatabase.Scalar<long>(_connection, "PRAGMA data_version");
        if (_snapshot is null || version != _dataVersion)
        {
            _snapshot = LoadSnapshot();
            _dataVersion = version;
        }
        return _snapshot;
    });

    private Snapshot LoadSnapshot()
    {
        // One read transaction: in WAL mode the count and the rows come from the same snapshot.
        using var transaction = _connection.BeginTransaction(deferred: true);
        int rowCount = (int)GalleryDatabase.Scalar<long>(_connection, "SELECT count(*) FROM faces", transaction);
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        // A plain table scan (rowid order, sequential on disk); rows are grouped by identity in memory afterwards.
        command.CommandText = "SELECT id, identity, encoding FROM faces";
        using var reader = command.ExecuteReader();
        var scanned = new float[(long)rowCount * Dimension];
        var rowName = new int[rowCount];
        var nameIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        int row = 0;
        byte[] blob = new byte[Dimension * sizeof(float)];
        while (reader.Read())
        {
            if (row == rowCount) throw Corrupt($"it counted {rowCount} faces but returned more");
            string name = reader.GetString(1);
            if (!nameIndex.TryGetValue(name, out int n)) nameIndex[name] = n = nameIndex.Count;
            rowName[row] = n;
            long length = reader.GetBytes(2, 0, null, 0, 0);
            if (length != blob.Length)
                throw Corrupt($"face row {reader.GetInt64(0)} has an encoding of {length} bytes, expected {blob.Length}");
            reader.GetBytes(2, 0, blob, 0, blob.Length);
            MemoryMarshal.Cast<byte, float>(blob).CopyTo(scanned.AsSpan(row * Dimension, Dimension));
            row++;
        }
        if (row != rowCount) throw Corrupt($"it counted {rowCount} faces but returned {row}");

        // Labels in ordinal name order (deterministic tie-breaking); a counting sort groups the rows by label.
        string[] names = nameIndex.Keys.Order(StringComparer.Ordinal).ToArray();
        var labelOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k < names.Length; k++) labelOf[names[k]] = k;
        int[] labelOfName = new int[names.Length];
        foreach (var (name, n) in nameIndex) labelOfName[n] = labelOf[name];
        int[] labelStart = new int[names.Length + 1];
        foreach (int n in rowName) labelStart[labelOfName[n] + 1]++;
        for (int k = 0; k < names.Length; k++) labelStart[k + 1] += labelStart[k];
        int[] next = (int[])labelStart.Clone();
        var matrix = new float[scanned.Length];
        for (int i = 0; i < rowCount; i++)
            scanned.AsSpan(i * Dimension, Dimension).CopyTo(matrix.AsSpan(next[labelOfName[rowName[i]]]++ * Dimension, Dimension));

        EncodingIndex index = Options.Aggregate == GalleryAggregate.MeanEncoding
            ? MeanPerLabel(matrix, labelStart)
            : new EncodingIndex(Dimension, matrix, labelStart);
        return new Snapshot(names, labelOf, index);
    }

    /// <summary>One row per label: the element-wise mean of that label's encodings.</summary>
    private EncodingIndex MeanPerLabel(float[] matrix, int[] labelStart)
    {
        int labels = labelStart.Length - 1;
        var means = new float[(long)labels * Dimension];
        for (int k = 0; k < labels; k++)
        {
            Span<float> mean = means.AsSpan(k * Dimension, Dimension);
            for (int row = labelStart[k]; row < labelStart[k + 1]; row++)
                System.Numerics.Tensors.TensorPrimitives.Add(mean, matrix.AsSpan(row * Dimension, Dimension), mean);
            System.Numerics.Tensors.TensorPrimitives.Divide(mean, labelStart[k + 1] - labelStart[k], mean);
        }
        return new EncodingIndex(Dimension, means, Enumerable.Range(0, labels + 1).ToArray());
    }

    private float[] ReadEncoding(SqliteDataReader reader, int column, long rowId)
    {
        byte[] blob = reader.GetFieldValue<byte[]>(column);
        if (blob.Length != Dimension * sizeof(float))
            throw Corrupt($"face row {rowId} has an encoding of {blob.Length} bytes, expected {Dimension * sizeof(float)}");
        return MemoryMarshal.Cast<byte, float>(blob).ToArray();
    }

    private InvalidInputException Corrupt(string problem) =>
        new(Path, $"the gallery is corrupt: {problem}; it was left untouched");

    private void ValidateEncoding(float[]? encoding)
    {
        if (encoding is null || encoding.Length != Dimension)
            throw new ArgumentException($"an encoding must have {Dimension} values (got {encoding?.Length ?? 0})");
        foreach (float v in encoding)
            if (!float.IsFinite(v)) throw new ArgumentException("an encoding holds a NaN or infinite value");
    }

    private void ValidateQuery(ReadOnlySpan<float> encoding)
    {
        if (encoding.Length != Dimension)
            throw new ArgumentException($"an encoding must have {Dimension} values (got {encoding.Length})");
    }

    private static string ValidIdentity(string? identity)
    {
        string name = identity?.Trim() ?? "";
        if (name.Length == 0) throw new ArgumentException("an identity name must not be empty");
        if (name.Length > 256) throw new ArgumentException("an identity name must be at most 256 characters");
        if (name.Any(char.IsControl)) throw new ArgumentException("an identity name must not hold control characters");
        return name;
    }

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private static bool IsEmptyFile(string path)
    {
        try { return new FileInfo(path).Length == 0; } catch (IOException) { return false; }
    }

    private static void TryDelete(string path)
    {
        foreach (string file in new[] { path, path + "-wal", path + "-shm" })
        {
            try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
