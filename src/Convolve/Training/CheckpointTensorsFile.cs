using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace Convolve.Training;

/// <summary>
/// Minimal safetensors reader/writer for checkpoints (F32, F64, I64 tensors and string metadata).
/// Temporary: to be replaced by the shared Convolve.Weights safetensors reader/writer (branch style) once it handles I64 (batch-norm counters).
/// Format: 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}, __metadata__},
/// then the raw little-endian tensor bytes.
/// </summary>
internal static class CheckpointTensorsFile
{
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new Dictionary<string, object>();
        if (metadata != null) header["__metadata__"] = metadata;
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, t) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var bytes = Bytes(t, out string dtype);
            header[name] = new { dtype, shape = t.shape, data_offsets = new[] { offset, offset + bytes.Length } };
            blobs.Add(bytes);
            offset += bytes.Length;
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        int padded = (json.Length + 7) / 8 * 8;
        string tmp = path + ".tmp";
        using (var stream = File.Create(tmp))
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)padded);
            stream.Write(len);
            stream.Write(json);
            for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var b in blobs) stream.Write(b);
        }
        File.Move(tmp, path, overwrite: true); // a crash mid-write never leaves a half checkpoint
    }

    public static Dictionary<string, Tensor> Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidInputException(path, "cannot be read: " + e.Message, e); }
        if (bytes.Length < 8) throw new InvalidInputException(path, "is too short for a safetensors file");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)bytes.Length - 8) throw new InvalidInputException(path, "has a header longer than the file");
        using var doc = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        int dataStart = 8 + (int)headerLength;
        var result = new Dictionary<string, Tensor>();
        foreach (var entry in doc.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__") continue;
            string dtype = entry.Value.GetProperty("dtype").GetString()!;
            long[] shape = entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            if (offsets[1] < offsets[0] || dataStart + offsets[1] > bytes.Length) throw new InvalidInputException(path, $"tensor '{entry.Name}' lies outside the file");
            var span = bytes.AsSpan(dataStart + (int)offsets[0], (int)(offsets[1] - offsets[0]));
            result[entry.Name] = dtype switch
            {
                "F32" => tensor(Decode(span, 4, s => BinaryPrimitives.ReadSingleLittleEndian(s)), shape),
                "F64" => tensor(Decode(span, 8, s => BinaryPrimitives.ReadDoubleLittleEndian(s)), shape),
                "I64" => tensor(Decode(span, 8, s => BinaryPrimitives.ReadInt64LittleEndian(s)), shape),
                _ => throw new InvalidInputException(path, $"tensor '{entry.Name}' has unsupported dtype {dtype}"),
            };
        }
        return result;
    }

    private static T[] Decode<T>(ReadOnlySpan<byte> span, int size, Func<ReadOnlySpan<byte>, T> read)
    {
        var values = new T[span.Length / size];
        for (int i = 0; i < values.Length; i++) values[i] = read(span.Slice(i * size, size));
        return values;
    }

    private static byte[] Bytes(Tensor t, out string dtype)
    {
        var c = t.detach().cpu().contiguous();
        switch (c.dtype)
        {
            case ScalarType.Float32:
                dtype = "F32";
                return Encode(c.data<float>().ToArray(), 4, (s, v) => BinaryPrimitives.WriteSingleLittleEndian(s, v));
            case ScalarType.Float64:
                dtype = "F64";
                return Encode(c.data<double>().ToArray(), 8, (s, v) => BinaryPrimitives.WriteDoubleLittleEndian(s, v));
            case ScalarType.Int64:
                dtype = "I64";
                return Encode(c.data<long>().ToArray(), 8, (s, v) => BinaryPrimitives.WriteInt64LittleEndian(s, v));
            default:
                throw new NotSupportedException($"checkpoint tensors must be float32, float64 or int64, got {c.dtype}");
        }
    }

    private delegate void Writer<T>(Span<byte> span, T value);

    private static byte[] Encode<T>(T[] values, int size, Writer<T> write)
    {
        var bytes = new byte[values.Length * size];
        for (int i = 0; i < values.Length; i++) write(bytes.AsSpan(i * size, size), values[i]);
        return bytes;
    }
}
