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
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT id, identity, encoding FROM faces ORDER BY identity, id";
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        var rows = new List<float[]>();
        var labels = new List<int>();
        while (reader.Read())
        {
            string name = reader.GetString(1);
            if (names.Count == 0 || names[^1] != name) names.Add(name);
            rows.Add(ReadEncoding(reader, 2, reader.GetInt64(0)));
            labels.Add(names.Count - 1);
        }
        var labelOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k < names.Count; k++) labelOf[names[k]] = k;
        if (Options.Aggregate == GalleryAggregate.MeanEncoding) (rows, labels) = MeanPerLabel(rows, labels, names.Count);
        return new Snapshot(names.ToArray(), labelOf, new EncodingIndex(Dimension, rows, labels, names.Count));
    }

    /// <summary>One row per label: the element-wise mean of that label's encodings.</summary>
    private (List<float[]>, List<int>) MeanPerLabel(List<float[]> rows, List<int> labels, int labelCount)
    {
        var sums = new float[labelCount][];
        var counts = new int[labelCount];
        for (int i = 0; i < rows.Count; i++)
        {
            int k = labels[i];
            sums[k] ??= new float[Dimension];
            System.Numerics.Tensors.TensorPrimitives.Add(sums[k], rows[i], sums[k]);
            counts[k]++;
        }
        for (int k = 0; k < labelCount; k++) System.Numerics.Tensors.TensorPrimitives.Divide(sums[k], counts[k], sums[k]);
        return (sums.ToList(), Enumerable.Range(0, labelCount).ToList());
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
