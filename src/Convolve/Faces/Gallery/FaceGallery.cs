using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Convolve.Faces.Gallery;

/// <summary>Options for opening a <see cref="FaceGallery"/>.</summary>
public sealed record GalleryOptions
{
    /// <summary>How long a write waits for another process holding the gallery before it fails as "locked".</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How an identity's several faces are combined into one distance (default: nearest face).</summary>
    public GalleryAggregate Aggregate { get; init; } = GalleryAggregate.NearestSample;

    /// <summary>Encoding length of a new gallery (face-api's FaceRecognitionNet: 128).</summary>
    public int Dimension { get; init; } = 128;
}

/// <summary>
/// The K-person database of one-shot recognition: an SQLite file (WAL, transactional, owner-only) with one row per
/// enrolled face, and an in-memory <see cref="EncodingIndex"/> loaded once and searched with SIMD kernels.
/// Thread-safe; several processes may use one file at once. All encodings come from one model: the gallery refuses
/// to mix.
/// </summary>
/// <example><code>
/// using var gallery = FaceGallery.OpenOrCreate("people.db", modelId);
/// gallery.Enroll("Ada", encoding, "ada.jpg");
/// IdentityMatch match = gallery.Identify(probe, gallery.ThresholdOr(0.5));
/// </code></example>
public sealed partial class FaceGallery : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();
    private Snapshot? _snapshot;   // identities + index, rebuilt after any committed change
    private long _dataVersion;
    private bool _disposed;

    private FaceGallery(string path, SqliteConnection connection, GalleryOptions options)
    {
        Path = path;
        _connection = connection;
        Options = options;
        ModelId = Meta("model_id") ?? throw Corrupt("it has no model id");
        Dimension = int.TryParse(Meta("dimension"), NumberStyles.None, CultureInfo.InvariantCulture, out int d) && d > 0
            ? d : throw Corrupt("its encoding dimension is missing or invalid");
    }

    /// <summary>The gallery file.</summary>
    public string Path { get; }

    /// <summary>The model every encoding in this gallery was produced by.</summary>
    public string ModelId { get; }

    /// <summary>Encoding length.</summary>
    public int Dimension { get; }

    /// <summary>The options it was opened with.</summary>
    public GalleryOptions Options { get; }

    /// <summary>
    /// Opens an existing gallery. When <paramref name="modelId"/> is given the gallery must hold encodings of that
    /// model (pass null to manage a gallery without computing encodings: list, rename, remove, export).
    /// Missing, locked, corrupt or foreign files are reported as <see cref="InvalidInputException"/> and never modified.
    /// </summary>
    public static FaceGallery Open(string path, string? modelId = null, GalleryOptions? options = null)
    {
        if (!File.Exists(path)) throw new InvalidInputException(path, "gallery file not found (enroll a face to create one)");
        return OpenExisting(path, modelId, options ?? new GalleryOptions(), create: false);
    }

    /// <summary>Opens the gallery, creating it (owner-only) for <paramref name="modelId"/> when the file does not exist.</summary>
    public static FaceGallery OpenOrCreate(string path, string modelId, GalleryOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        bool created = GalleryDatabase.TryCreateOwnerOnlyFile(path);
        try
        {
            return OpenExisting(path, modelId, options ?? new GalleryOptions(), created);
        }
        catch when (created && IsEmptyFile(path))
        {
            TryDelete(path); // we made the empty file and nobody initialised it: leave nothing behind
            throw;
        }
    }

    private static FaceGallery OpenExisting(string path, string? modelId, GalleryOptions options, bool create)
    {
        SqliteConnection connection = GalleryDatabase.Open(path, modelId, options.Dimension, options.BusyTimeout);
        if (create) GalleryDatabase.RestrictToOwner(path);
        FaceGallery gallery;
        try
        {
            gallery = new FaceGallery(path, connection, options);
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw GalleryDatabase.Translate(path, e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        if (modelId is not null && modelId != gallery.ModelId)
        {
            gallery.Dispose();
            throw new InvalidInputException(path,
                $"the gallery holds encodings of model '{gallery.ModelId}', not '{modelId}'; encodings of different models cannot be compared (use another gallery file, or re-enroll)" + SettingsHint(gallery.ModelId, modelId));
        }
        return gallery;
    }

    /// <summary>Number of enrolled faces.</summary>
    public int FaceCount => Locked(() => (int)GalleryDatabase.Scalar<long>(_connection, "SELECT count(*) FROM faces"));

    /// <summary>Enrolls one face of <paramref name="identity"/>.</summary>
    public GalleryEntry Enroll(string identity, float[] encoding, string? sourceFile = null) =>
        Enroll([new FaceSample(identity, encoding, sourceFile)])[0];

    /// <summary>
    /// Enrolls faces in one transaction: all are stored or, if anything fails part-way (a bad encoding, the
    /// sequence throwing, the process dying), none is and the gallery is as it was.
    /// </summary>
    public IReadOnlyList<GalleryEntry> Enroll(IEnumerable<FaceSample> samples) =>
        Insert(samples.Select(s => (s, (DateTimeOffset?)null)));

    private IReadOnlyList<GalleryEntry> Insert(IEnumerable<(FaceSample Sample, DateTimeOffset? EnrolledAt)> faces) => Write(transaction =>
    {
        var stored = new List<GalleryEntry>();
        using var insert = _connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO faces (identity, source_file, encoding, model_id, enrolled_at)
            VALUES ($identity, $source, $encoding, $model, $at) RETURNING id
            """;
        var identity = insert.Parameters.Add("$identity", SqliteType.Text);
        var source = insert.Parameters.Add("$source", SqliteType.Text);
        var encoding = insert.Parameters.Add("$encoding", SqliteType.Blob);
        insert.Parameters.AddWithValue("$model", ModelId);
        var at = insert.Parameters.Add("$at", SqliteType.Text);
        foreach (var (sample, enrolledAt) in faces)
        {
            string name = ValidIdentity(sample.Identity);
            ValidateEncoding(sample.Encoding);
            var now = enrolledAt?.ToUniversalTime() ?? DateTimeOffset.UtcNow;
            identity.Value = name;
            source.Value = (object?)sample.SourceFile ?? DBNull.Value;
            encoding.Value = MemoryMarshal.AsBytes(sample.Encoding.AsSpan()).ToArray();
            at.Value = now.ToString("O", CultureInfo.InvariantCulture);
            long id = (long)insert.ExecuteScalar()!;
            stored.Add(new GalleryEntry(id, name, sample.SourceFile, (float[])sample.Encoding.Clone(), ModelId, now));
        }
        return stored;
    });

    /// <summary>Removes every face of <paramref name="identity"/>; returns how many were removed (0 when unknown).</summary>
    public int Remove(string identity) => Write(transaction =>
        NonQuery(transaction, "DELETE FROM faces WHERE identity = $a", ("$a", identity)));

    /// <summary>Removes one enrolled face by its row id; false when there is no such row.</summary>
    public bool RemoveEntry(long id) => Write(transaction =>
        NonQuery(transaction, "DELETE FROM faces WHERE id = $a", ("$a", id)) == 1);

    /// <summary>
    /// Renames an identity; returns how many faces were renamed. Renaming onto an existing identity merges the two
    /// only when <paramref name="merge"/> is true (otherwise it is refused, so people are not merged by a typo).
    /// </summary>
    public int Rename(string from, string to, bool merge = false)
    {
        string target = ValidIdentity(to);
        return Write(transaction =>
        {
            if (!merge && from != target && Count(transaction, target) > 0)
                throw new InvalidInputException(Path, $"identity '{target}' already exists; rename with merge to combine the two");
            return NonQuery(transaction, "UPDATE faces SET identity = $b WHERE identity = $a", ("$a", from), ("$b", target));
        });
    }

    /// <summary>The enrolled identities with their number of faces, by name.</summary>
    public IReadOnlyList<IdentitySummary> ListIdentities() => Locked(() =>
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT identity, count(*), min(enrolled_at), max(enrolled_at) FROM faces GROUP BY identity ORDER BY identity";
        using var reader = command.ExecuteReader();
        var list = new List<IdentitySummary>();
        while (reader.Read())
            list.Add(new IdentitySummary(reader.GetString(0), reader.GetInt32(1), ParseTime(reader.GetString(2)), ParseTime(reader.GetString(3))));
        return list;
    });

    /// <summary>The enrolled faces (of one identity when given), in enrollment order within each identity.</summary>
    public IReadOnlyList<GalleryEntry> Entries(string? identity = null) => Locked(() =>
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT id, identity, source_file, encoding, model_id, enrolled_at FROM faces"
            + (identity is null ? "" : " WHERE identity = $a") + " ORDER BY identity, id";
        if (identity is not null) command.Parameters.AddWithValue("$a", identity);
        using var reader = command.ExecuteReader();
        var list = new List<GalleryEntry>();
        while (reader.Read())
            list.Add(new GalleryEntry(reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                ReadEncoding(reader, 3, reader.GetInt64(0)), reader.GetString(4), ParseTime(reader.GetString(5))));
        return list;
    });

    /// <summary>
    /// Who is this? The nearest identity (aggregated per <see cref="GalleryOptions.Aggregate"/>) and whether its
    /// distance is under <paramref name="threshold"/> (strict &lt;).
    /// </summary>
    public IdentityMatch Identify(ReadOnlySpan<float> encoding, double threshold)
    {
        Snapshot snapshot = CurrentSnapshot();
        ValidateQuery(encoding);
        if (snapshot.Index.LabelCount == 0) return new IdentityMatch(null, null, threshold);
        (int label, float distance) = snapshot.Index.Nearest(encoding);
        return new IdentityMatch(snapshot.Identities[label], distance, threshold);
    }

    /// <summary>
    /// <see cref="Identify"/> for several faces (e.g. all faces of a group photo) in one pass over the gallery.
    /// </summary>
    public IReadOnlyList<IdentityMatch> IdentifyMany(IReadOnlyList<float[]> encodings, double threshold)
    {
        Snapshot snapshot = CurrentSnapshot();
        foreach (float[] e in encodings) ValidateQuery(e);
        if (snapshot.Index.LabelCount == 0) return encodings.Select(_ => new IdentityMatch(null, null, threshold)).ToList();
        var labels = new int[encodings.Count];
        var distances = new float[encodings.Count];
        snapshot.Index.NearestMany(encodings.SelectMany(e => e).ToArray(), labels, distances);
        return labels.Select((k, j) => new IdentityMatch(snapshot.Identities[k], distances[j], threshold)).ToList();
    }

    /// <summary>The <paramref name="top"/> nearest identities, nearest first.</summary>
    public IReadOnlyList<IdentityCandidate> Rank(ReadOnlySpan<float> encoding, int top = 5)
    {
        Snapshot snapshot = CurrentSnapshot();
        ValidateQuery(encoding);
        float[] distances = new float[snapshot.Index.LabelCount];
        snapshot.Index.NearestDistancePerLabel(encoding, distances);
        return Enumerable.Range(0, distances.Length).OrderBy(k => distances[k]).ThenBy(k => snapshot.Identities[k], StringComparer.Ordinal)
            .Take(top).Select(k => new IdentityCandidate(snapshot.Identities[k], distances[k])).ToList();
    }

    /// <summary>Distance from <paramref name="encoding"/> to an enrolled identity (for verification), or null when it is not enrolled.</summary>
    public double? DistanceTo(string identity, ReadOnlySpan<float> encoding)
    {
        Snapshot snapshot = CurrentSnapshot();
        ValidateQuery(encoding);
        if (!snapshot.LabelOf.TryGetValue(identity, out int label)) return null;
        float[] distances = new float[snapshot.Index.LabelCount];
        snapshot.Index.NearestDistancePerLabel(encoding, distances);
        return distances[label];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _connection.Dispose();
        }
    }

    /// <summary>
    /// When <paramref name="galleryModelId"/> differs from <paramref name="modelId"/> only in its
    /// <see cref="EncodingVariant"/> (the part after the last '/'), the settings that read the gallery.
    /// </summary>
    internal static string SettingsHint(string galleryModelId, string modelId)
    {
        int slash = galleryModelId.LastIndexOf('/');
        if (slash < 0 || galleryModelId[..slash] != modelId[..Math.Max(0, modelId.LastIndexOf('/'))]) return "";
        string suffix = galleryModelId[(slash + 1)..];
        foreach (var alignment in Enum.GetValues<FaceAlignment>())
            foreach (bool flip in new[] { false, true })
            {
                if (new EncodingVariant(alignment, flip).ToString() != suffix) continue;
                string option = alignment == FaceAlignment.Landmarks ? "landmarks" : "faceapi";
                return $" (it was made with --align {option}{(flip ? " --flip" : "")}, in the library Alignment = {alignment}, Flip = {(flip ? "true" : "false")}: use the same settings to read it)";
            }
        return "";
    }
}
