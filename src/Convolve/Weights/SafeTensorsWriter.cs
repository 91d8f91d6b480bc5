using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace Convolve.Weights;

/// <summary>
/// Writes safetensors files: an 8-byte little-endian header length, a JSON header padded with spaces to a multiple
/// of 8 bytes, then the tensors back to back in the order given. Floats are stored as F32, F16 or BF16.
/// </summary>
public static class SafeTensorsWriter
{
    /// <summary>A tensor to write: its name, shape and float values (row-major).</summary>
    /// <param name="Name">Tensor name.</param>
    /// <param name="Shape">Dimensions; their product must equal <paramref name="Values"/>' length.</param>
    /// <param name="Values">Row-major values.</param>
    public sealed record Entry(string Name, long[] Shape, float[] Values);

    /// <summary>Writes <paramref name="entries"/> to <paramref name="path"/> (atomically: a temporary file is renamed over it).</summary>
    /// <param name="path">Output file.</param>
    /// <param name="entries">Tensors in file order; names must be unique.</param>
    /// <param name="metadata">Optional <c>__metadata__</c> strings.</param>
    /// <param name="dtype">Storage dtype: F32 (default), F16 or BF16.</param>
    public static void Write(string path, IEnumerable<Entry> entries, IReadOnlyDictionary<string, string>? metadata = null, string dtype = "F32")
    {
        int size = dtype switch
        {
            "F32" => 4,
            "F16" or "BF16" => 2,
            _ => throw new ArgumentException($"Unsupported dtype '{dtype}': use F32, F16 or BF16.", nameof(dtype)),
        };
        var list = entries.ToList();
        if (list.Select(e => e.Name).Distinct().Count() != list.Count) throw new ArgumentException("Tensor names must be unique.", nameof(entries));
        if (list.Any(e => e.Name == "__metadata__")) throw new ArgumentException("'__metadata__' is reserved.", nameof(entries));

        var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) json.WriteString(k, v);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var e in list)
            {
                long count = e.Shape.Aggregate(1L, (a, b) => checked(a * b));
                if (count != e.Values.Length) throw new ArgumentException($"Tensor '{e.Name}': shape [{string.Join(",", e.Shape)}] needs {count} values, got {e.Values.Length}.");
                json.WriteStartObject(e.Name);
                json.WriteString("dtype", dtype);
                json.WriteStartArray("shape");
                foreach (long d in e.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + count * size);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += count * size;
            }
            json.WriteEndObject();
        }
        int pad = (int)((8 - header.Length % 8) % 8);
        header.Write(Encoding.ASCII.GetBytes(new string(' ', pad)));

        string temp = path + ".tmp";
        using (var fs = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            fs.Write(BitConverter.GetBytes((ulong)header.Length));
            header.Position = 0;
            header.CopyTo(fs);
            foreach (var e in list) fs.Write(Encode(e.Values, dtype));
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Writes float32 TorchSharp tensors (copied to the CPU) under their dictionary names.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null, string dtype = "F32") =>
        Write(path, tensors.Select(kv =>
        {
            using var cpu = kv.Value.detach().to(CPU).to_type(ScalarType.Float32).contiguous();
            return new Entry(kv.Key, cpu.shape, cpu.data<float>().ToArray());
        }), metadata, dtype);

    private static byte[] Encode(float[] values, string dtype)
    {
        switch (dtype)
        {
            case "F32":
            {
                var bytes = new byte[values.Length * 4];
                Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
                return bytes;
            }
            case "F16":
            {
                var bytes = new byte[values.Length * 2];
                for (int i = 0; i < values.Length; i++)
                    BitConverter.TryWriteBytes(bytes.AsSpan(2 * i), BitConverter.HalfToUInt16Bits((Half)values[i]));
                return bytes;
            }
            default: // BF16: round-to-nearest-even on the upper 16 bits of the float32
            {
                var bytes = new byte[values.Length * 2];
                for (int i = 0; i < values.Length; i++)
                {
                    uint bits = BitConverter.SingleToUInt32Bits(values[i]);
                    ushort bf = float.IsNaN(values[i]) ? (ushort)0x7FC0 : (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
                    BitConverter.TryWriteBytes(bytes.AsSpan(2 * i), bf);
                }
                return bytes;
            }
        }
    }
}
