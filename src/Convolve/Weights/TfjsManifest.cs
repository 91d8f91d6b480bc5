using System.Text.Json;

namespace Convolve.Weights;

/// <summary>How one weight is stored: the decoded dtype and, when quantized, the stored dtype with its scale and min.</summary>
/// <param name="Name">The weight's name, e.g. <c>conv32_1/conv1/conv/filters</c>.</param>
/// <param name="Shape">The TF.js shape (empty for a scalar).</param>
/// <param name="DType">The decoded dtype: <c>float32</c> or <c>int32</c>.</param>
/// <param name="QuantizationDType">The stored dtype when quantized (<c>uint8</c>, <c>uint16</c>, <c>float16</c>), else null.</param>
/// <param name="Scale">Quantization scale (uint8/uint16 only).</param>
/// <param name="Min">Quantization offset (uint8/uint16 only).</param>
public sealed record TfjsWeightSpec(string Name, long[] Shape, string DType, string? QuantizationDType, double Scale, double Min)
{
    /// <summary>Number of elements (1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, d) => checked(a * d));

    /// <summary>The dtype the bytes are stored in.</summary>
    public string StoredDType => QuantizationDType ?? DType;

    /// <summary>Bytes one stored element takes.</summary>
    public int BytesPerElement => StoredDType switch
    {
        "uint8" => 1,
        "uint16" or "float16" => 2,
        _ => 4,
    };

    /// <summary>Bytes the whole entry takes in its group's buffer.</summary>
    public long ByteCount => checked(ElementCount * BytesPerElement);
}

/// <summary>One group of a TF.js weights manifest: shard files (concatenated in order) and the entries stored in them.</summary>
internal sealed record TfjsWeightGroup(IReadOnlyList<string> Paths, IReadOnlyList<TfjsWeightSpec> Weights);

/// <summary>Parses a TF.js <c>*-weights_manifest.json</c> (a JSON array of groups). Key order inside objects does not matter.</summary>
internal static class TfjsManifestParser
{
    private static readonly HashSet<string> DTypes = ["float32", "int32"];
    private static readonly HashSet<string> QuantDTypes = ["uint8", "uint16", "float16"];

    public static IReadOnlyList<TfjsWeightGroup> Parse(string manifestPath, string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            // A graph model (model.json) carries the same array under "weightsManifest".
            var root = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("weightsManifest", out var inner)
                ? inner : doc.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
                throw Bad(manifestPath, "the manifest must be a JSON array of weight groups (or a graph model with 'weightsManifest')");
            var groups = new List<TfjsWeightGroup>();
            foreach (var g in root.EnumerateArray())
            {
                if (g.ValueKind != JsonValueKind.Object) throw Bad(manifestPath, "each weight group must be a JSON object");
                var paths = RequireArray(manifestPath, g, "paths", "group").EnumerateArray()
                    .Select(p => p.ValueKind == JsonValueKind.String ? p.GetString()! : throw Bad(manifestPath, "'paths' must hold strings"))
                    .ToList();
                var weights = RequireArray(manifestPath, g, "weights", "group").EnumerateArray()
                    .Select(w => ParseWeight(manifestPath, w)).ToList();
                groups.Add(new TfjsWeightGroup(paths, weights));
            }
            return groups;
        }
        catch (JsonException e)
        {
            throw new InvalidInputException(manifestPath, $"malformed weights manifest JSON: {e.Message}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException)
        {
            throw new InvalidInputException(manifestPath, $"malformed weights manifest: {e.Message}", e);
        }
    }

    private static TfjsWeightSpec ParseWeight(string manifestPath, JsonElement w)
    {
        if (w.ValueKind != JsonValueKind.Object) throw Bad(manifestPath, "each weight entry must be a JSON object");
        string name = RequireString(manifestPath, w, "name", "weight entry");
        string dtype = RequireString(manifestPath, w, "dtype", $"weight '{name}'");
        if (!DTypes.Contains(dtype)) throw Bad(manifestPath, $"weight '{name}' has unsupported dtype '{dtype}' (expected float32 or int32)");
        var shape = RequireArray(manifestPath, w, "shape", $"weight '{name}'").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        if (shape.Any(d => d < 0)) throw Bad(manifestPath, $"weight '{name}' has a negative dimension");

        string? qdtype = null;
        double scale = 1, min = 0;
        if (w.TryGetProperty("quantization", out var q) && q.ValueKind != JsonValueKind.Null)
        {
            qdtype = RequireString(manifestPath, q, "dtype", $"quantization of '{name}'");
            if (!QuantDTypes.Contains(qdtype)) throw Bad(manifestPath, $"weight '{name}' has unsupported quantization dtype '{qdtype}'");
            if (qdtype != "float16")
            {
                scale = RequireNumber(manifestPath, q, "scale", $"quantization of '{name}'");
                min = RequireNumber(manifestPath, q, "min", $"quantization of '{name}'");
            }
        }
        return new TfjsWeightSpec(name, shape, dtype, qdtype, scale, min);
    }

    private static JsonElement RequireArray(string path, JsonElement o, string key, string what) =>
        o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Array ? v : throw Bad(path, $"{what} lacks the array '{key}'");

    private static string RequireString(string path, JsonElement o, string key, string what) =>
        o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Bad(path, $"{what} lacks the string '{key}'");

    private static double RequireNumber(string path, JsonElement o, string key, string what) =>
        o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw Bad(path, $"{what} lacks the number '{key}'");

    private static InvalidInputException Bad(string path, string problem) => new(path, problem);
}
