using System.Text.Json;
using System.Text.Json.Serialization;

namespace Convolve.Cli.Infrastructure;

/// <summary>
/// The <c>--json</c> convention: a command writes exactly one JSON document to stdout (camelCase names, enums as
/// camelCase strings, nulls omitted) and nothing else; progress and messages for people go to stderr.
/// </summary>
public static class JsonOutput
{
    /// <summary>The serializer settings every command uses.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Writes <paramref name="value"/> as one JSON document and a newline.</summary>
    public static void Write(TextWriter stdout, object value)
    {
        stdout.WriteLine(JsonSerializer.Serialize(value, value.GetType(), Options));
        stdout.Flush();
    }

    /// <summary>The JSON error document: <c>{"error": {"code": 3, "kind": "bad-input", "message": ..., "path": ...}}</c>.</summary>
    public static object Error(ExitCode code, string message, string? path = null) =>
        new { error = new { code = (int)code, kind = ExitCodes.Kind(code), message, path } };
}
