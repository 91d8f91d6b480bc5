using Microsoft.Data.Sqlite;

namespace Convolve.Faces.Gallery;

/// <summary>
/// The SQLite file behind a <see cref="FaceGallery"/>: creating it owner-only, recognising it as a Convolve gallery
/// before anything is written to it, the schema, and turning SQLite failures into errors that name the file.
/// </summary>
internal static class GalleryDatabase
{
    /// <summary>PRAGMA application_id of Convolve galleries ("Cnvg"), so another SQLite file is never mistaken for one.</summary>
    public const int ApplicationId = 0x436E7667;

    /// <summary>PRAGMA user_version of the schema this code writes.</summary>
    public const int SchemaVersion = 1;

    private const string Schema = """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE faces (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            identity TEXT NOT NULL,
            source_file TEXT,
            encoding BLOB NOT NULL,
            model_id TEXT NOT NULL,
            enrolled_at TEXT NOT NULL);
        CREATE INDEX faces_by_identity ON faces (identity, id);
        CREATE TABLE calibration (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            threshold REAL NOT NULL,
            far_target REAL NOT NULL,
            far REAL NOT NULL,
            tar REAL NOT NULL,
            same_pairs INTEGER NOT NULL,
            different_pairs INTEGER NOT NULL,
            source TEXT,
            calibrated_at TEXT NOT NULL);
        """;

    /// <summary>Creates an empty file readable and writable by its owner only; false when it already exists.</summary>
    public static bool TryCreateOwnerOnlyFile(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using var _ = new FileStream(path, options);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false; // another process created it first: open theirs
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException(path, $"cannot create the gallery file ({e.Message})", e);
        }
    }

    /// <summary>
    /// Opens an existing file, checks it is a Convolve gallery (initialising it when it is empty) and switches it to
    /// WAL. Nothing is written to a file that is not recognised. Returns the open connection.
    /// </summary>
    public static SqliteConnection Open(string path, string? modelIdForNewGallery, int dimension, TimeSpan busyTimeout)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWrite, // never create: a missing file is reported, not silently replaced
            Pooling = false,                 // close the file handle on Dispose
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds)),
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            Execute(connection, $"PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds}");
            long applicationId = Scalar<long>(connection, "PRAGMA application_id");
            long objects = Scalar<long>(connection, "SELECT count(*) FROM sqlite_master");
            if (applicationId == 0 && objects == 0)
            {
                if (modelIdForNewGallery is null)
                    throw new InvalidInputException(path, "the gallery file is empty (enroll a face to create a gallery)");
                Initialise(connection, modelIdForNewGallery, dimension);
            }
            else if (applicationId != ApplicationId)
                throw new InvalidInputException(path, "is not a Convolve gallery (it is an SQLite database of another application); it was left untouched");
            long version = Scalar<long>(connection, "PRAGMA user_version");
            if (version > SchemaVersion)
                throw new InvalidInputException(path, $"the gallery was written by a newer Convolve (schema {version}, this one reads {SchemaVersion})");
            string mode = Scalar<string>(connection, "PRAGMA journal_mode = WAL");
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                throw new InvalidInputException(path, $"cannot switch the gallery to WAL journaling (got '{mode}')");
            Execute(connection, "PRAGMA synchronous = FULL");
            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw Translate(path, e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static void Initialise(SqliteConnection connection, string modelId, int dimension)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        // Re-check inside the write lock: a concurrent creator may have initialised it meanwhile.
        if (Scalar<long>(connection, "SELECT count(*) FROM sqlite_master", transaction) == 0)
        {
            Execute(connection, Schema, transaction);
            Execute(connection, $"PRAGMA application_id = {ApplicationId}", transaction);
            Execute(connection, $"PRAGMA user_version = {SchemaVersion}", transaction);
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO meta (key, value) VALUES ('model_id', $model), ('dimension', $dim), ('created_at', $at)";
            insert.Parameters.AddWithValue("$model", modelId);
            insert.Parameters.AddWithValue("$dim", dimension.ToString(System.Globalization.CultureInfo.InvariantCulture));
            insert.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToString("O"));
            insert.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    /// <summary>Turns an SQLite failure into an error naming the gallery file and what went wrong.</summary>
    public static ConvolveException Translate(string path, SqliteException e) => (e.SqliteErrorCode & 0xFF) switch
    {
        5 or 6 => new InvalidInputException(path, "the gallery is locked by another process (it was left untouched; try again when that process has finished)", e),
        11 or 26 => new InvalidInputException(path, "the gallery file is corrupt or not an SQLite database; it was left untouched", e),
        8 => new InvalidInputException(path, "the gallery file is read-only", e),
        14 => new InvalidInputException(path, "the gallery file cannot be opened (check that its folder exists and is writable)", e),
        _ => new InvalidInputException(path, $"gallery database error: {e.Message}", e),
    };

    /// <summary>Restricts the gallery and its WAL side files to their owner (no-op on Windows).</summary>
    public static void RestrictToOwner(string path)
    {
        if (OperatingSystem.IsWindows()) return;
        foreach (string file in new[] { path, path + "-wal", path + "-shm" })
        {
            try
            {
                if (File.Exists(file)) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another user's file: we cannot change it, and we do not widen anything; the open itself decides.
            }
        }
    }

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static T Scalar<T>(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        object? value = command.ExecuteScalar();
        return (T)Convert.ChangeType(value!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }
}
