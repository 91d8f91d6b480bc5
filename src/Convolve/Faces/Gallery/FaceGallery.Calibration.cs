using System.Globalization;

namespace Convolve.Faces.Gallery;

public sealed partial class FaceGallery
{
    /// <summary>The threshold calibrated on the user's pairs and stored in this gallery, or null when none was stored.</summary>
    public CalibratedThreshold? CalibratedThreshold => Locked(() =>
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT threshold, far_target, far, tar, same_pairs, different_pairs, source, calibrated_at FROM calibration WHERE id = 1";
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        return new CalibratedThreshold(reader.GetDouble(0), reader.GetDouble(1), reader.GetDouble(2), reader.GetDouble(3),
            reader.GetInt32(4), reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetString(6), ParseTime(reader.GetString(7)));
    });

    /// <summary>The calibrated threshold when one is stored, otherwise <paramref name="fallback"/> (the library default).</summary>
    public double ThresholdOr(double fallback) => CalibratedThreshold?.Threshold ?? fallback;

    /// <summary>Stores a calibrated threshold (replacing any previous one); identify and verify use it from then on.</summary>
    public void SetCalibratedThreshold(CalibratedThreshold calibration)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        if (!double.IsFinite(calibration.Threshold) || calibration.Threshold <= 0)
            throw new ArgumentOutOfRangeException(nameof(calibration), "the threshold must be a positive distance");
        Write(transaction =>
        {
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT OR REPLACE INTO calibration (id, threshold, far_target, far, tar, same_pairs, different_pairs, source, calibrated_at)
                VALUES (1, $t, $ft, $f, $tar, $s, $d, $src, $at)
                """;
            command.Parameters.AddWithValue("$t", calibration.Threshold);
            command.Parameters.AddWithValue("$ft", calibration.FarTarget);
            command.Parameters.AddWithValue("$f", calibration.Far);
            command.Parameters.AddWithValue("$tar", calibration.Tar);
            command.Parameters.AddWithValue("$s", calibration.SamePairs);
            command.Parameters.AddWithValue("$d", calibration.DifferentPairs);
            command.Parameters.AddWithValue("$src", (object?)calibration.Source ?? DBNull.Value);
            command.Parameters.AddWithValue("$at", calibration.CalibratedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
            return command.ExecuteNonQuery();
        });
    }

    /// <summary>Forgets the calibrated threshold (the library default applies again); false when none was stored.</summary>
    public bool ClearCalibratedThreshold() => Write(transaction => NonQuery(transaction, "DELETE FROM calibration") > 0);
}
