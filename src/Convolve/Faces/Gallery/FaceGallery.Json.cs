using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Convolve.Faces.Gallery;

public sealed partial class FaceGallery
{
    private const string JsonFormat = "convolve-gallery";
    private const int JsonVersion = 1;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>
    /// Writes the whole gallery (faces, model id, calibrated threshold) to a JSON file readable by its owner only.
    /// The file holds biometric data: treat it like the gallery.
    /// </summary>
    public void Export(string jsonPath)
    {
        var document = new GalleryDocument(JsonFormat, JsonVersion, ModelId, Dimension, CalibratedThreshold is { } c ? CalibrationDocument.From(c) : null,
            Entries().Select(e => new FaceDocument(e.Identity, e.SourceFile, e.EnrolledAt.ToString("O", CultureInfo.InvariantCulture), e.Encoding)).ToList());
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(jsonPath, options)) JsonSerializer.Serialize(stream, document, JsonOptions);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(jsonPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>
    /// Adds the faces of an exported JSON file, in one transaction. Faces already present (same identity and same
    /// encoding) are skipped, so importing twice changes nothing. The file must come from the same model. Its
    /// calibrated threshold is taken over only when this gallery has none. Returns the number of faces added.
    /// </summary>
    public int Import(string jsonPath)
    {
        GalleryDocument document = ReadDocument(jsonPath);
        if (document.ModelId != ModelId)
            throw new InvalidInputException(jsonPath, $"holds encodings of model '{document.ModelId}', but the gallery {Path} holds model '{ModelId}'; they cannot be mixed");
        if (document.Dimension != Dimension)
            throw new InvalidInputException(jsonPath, $"holds {document.Dimension}-value encodings, the gallery {Dimension}-value ones");
        var present = Entries().Select(e => Key(e.Identity, e.Encoding)).ToHashSet();
        var toAdd = new List<(FaceSample, DateTimeOffset?)>();
        for (int i = 0; i < document.Faces.Count; i++)
        {
            FaceDocument face = document.Faces[i];
            if (face.Encoding is null || face.Encoding.Length != Dimension || face.Encoding.Any(v => !float.IsFinite(v)))
                throw new InvalidInputException(jsonPath, $"face {i + 1} ('{face.Identity}') has an invalid encoding (expected {Dimension} finite numbers)");
            if (string.IsNullOrWhiteSpace(face.Identity))
                throw new InvalidInputException(jsonPath, $"face {i + 1} has no identity");
            if (!DateTimeOffset.TryParse(face.EnrolledAt, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at))
                throw new InvalidInputException(jsonPath, $"face {i + 1} ('{face.Identity}') has an invalid enrolled_at time");
            if (present.Add(Key(face.Identity.Trim(), face.Encoding)))
                toAdd.Add((new FaceSample(face.Identity, face.Encoding, face.SourceFile), at));
        }
        int added = Insert(toAdd).Count;
        if (document.Calibration is { } calibration && CalibratedThreshold is null) SetCalibratedThreshold(calibration.ToRecord());
        return added;
    }

    private static string Key(string identity, float[] encoding) =>
        identity + "\n" + Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(encoding.AsSpan()));

    private static GalleryDocument ReadDocument(string jsonPath)
    {
        if (!File.Exists(jsonPath)) throw new InvalidInputException(jsonPath, "file not found");
        GalleryDocument? document;
        try
        {
            using var stream = File.OpenRead(jsonPath);
            document = JsonSerializer.Deserialize<GalleryDocument>(stream, JsonOptions);
        }
        catch (JsonException e)
        {
            string where = e.LineNumber is { } line ? $" at line {line + 1}" : "";
            throw new InvalidInputException(jsonPath, $"is not a valid gallery export{where}: {e.Message}", e);
        }
        if (document is null || document.Format != JsonFormat)
            throw new InvalidInputException(jsonPath, $"is not a Convolve gallery export (\"format\" must be \"{JsonFormat}\")");
        if (document.Version > JsonVersion)
            throw new InvalidInputException(jsonPath, $"was written by a newer Convolve (version {document.Version})");
        if (string.IsNullOrEmpty(document.ModelId) || document.Faces is null)
            throw new InvalidInputException(jsonPath, "lacks \"model_id\" or \"faces\"");
        return document;
    }

    private sealed record GalleryDocument(
        [property: JsonPropertyName("format")] string Format,
        [property: JsonPropertyName("version")] int Version,
        [property: JsonPropertyName("model_id")] string ModelId,
        [property: JsonPropertyName("dimension")] int Dimension,
        [property: JsonPropertyName("calibration")] CalibrationDocument? Calibration,
        [property: JsonPropertyName("faces")] List<FaceDocument> Faces);

    private sealed record FaceDocument(
        [property: JsonPropertyName("identity")] string Identity,
        [property: JsonPropertyName("source_file")] string? SourceFile,
        [property: JsonPropertyName("enrolled_at")] string EnrolledAt,
        [property: JsonPropertyName("encoding")] float[] Encoding);

    private sealed record CalibrationDocument(
        [property: JsonPropertyName("threshold")] double Threshold,
        [property: JsonPropertyName("far_target")] double FarTarget,
        [property: JsonPropertyName("far")] double Far,
        [property: JsonPropertyName("tar")] double Tar,
        [property: JsonPropertyName("same_pairs")] int SamePairs,
        [property: JsonPropertyName("different_pairs")] int DifferentPairs,
        [property: JsonPropertyName("source")] string? Source,
        [property: JsonPropertyName("calibrated_at")] DateTimeOffset CalibratedAt)
    {
        public static CalibrationDocument From(CalibratedThreshold c) =>
            new(c.Threshold, c.FarTarget, c.Far, c.Tar, c.SamePairs, c.DifferentPairs, c.Source, c.CalibratedAt);

        public CalibratedThreshold ToRecord() => new(Threshold, FarTarget, Far, Tar, SamePairs, DifferentPairs, Source, CalibratedAt);
    }
}
