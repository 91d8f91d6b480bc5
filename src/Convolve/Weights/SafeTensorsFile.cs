using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Convolve.Weights;

/// <summary>One tensor's entry in a safetensors header: dtype, shape and its byte range inside the data buffer.</summary>
/// <param name="Name">Tensor name (e.g. <c>conv1_1.weight</c>).</param>
/// <param name="DType">safetensors dtype string (<c>F32</c>, <c>F16</c>, <c>BF16</c>, …).</param>
/// <param name="Shape">Dimensions (empty for a scalar).</param>
/// <param name="Begin">First byte, relative to the start of the data buffer.</param>
/// <param name="End">One past the last byte, relative to the start of the data buffer.</param>
public sealed record SafeTensorInfo(string Name, string DType, long[] Shape, long Begin, long End)
{
    /// <summary>Number of elements (product of the shape; 1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => checked(a * b));
}

/// <summary>
/// Reads a <see href="https://github.com/huggingface/safetensors">safetensors</see> file: an 8-byte little-endian
/// header length N, N bytes of JSON, then one flat data buffer. The header is validated completely before any
/// tensor is read (size limit, JSON shape, known dtype, offsets inside the file, sizes matching shape × dtype,
/// no overlaps or holes), and tensors are streamed from the file one at a time with positional reads, so a
/// malformed or hostile file is rejected with an <see cref="InvalidInputException"/> instead of crashing or
/// allocating what its header claims.
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    /// <summary>Default header size limit (the reference implementation uses 100 MB).</summary>
    public const long DefaultMaxHeaderBytes = 100L * 1024 * 1024;

    internal static readonly IReadOnlyDictionary<string, int> DTypeSizes = new Dictionary<string, int>
    {
        ["BOOL"] = 1, ["U8"] = 1, ["I8"] = 1, ["F8_E4M3"] = 1, ["F8_E5M2"] = 1,
        ["I16"] = 2, ["U16"] = 2, ["F16"] = 2, ["BF16"] = 2,
        ["I32"] = 4, ["U32"] = 4, ["F32"] = 4,
        ["I64"] = 8, ["U64"] = 8, ["F64"] = 8,
    };

    private readonly FileStream _stream;
    private readonly long _dataStart;

    private SafeTensorsFile(string path, FileStream stream, long dataStart,
        Dictionary<string, SafeTensorInfo> tensors, Dictionary<string, string> metadata)
    {
        Path = path;
        _stream = stream;
        _dataStart = dataStart;
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>The tensors listed in the header, by name.</summary>
    public IReadOnlyDictionary<string, SafeTensorInfo> Tensors { get; }

    /// <summary>The optional <c>__metadata__</c> string map.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens and validates <paramref name="path"/>; throws <see cref="InvalidInputException"/> naming the file and the problem.</summary>
    public static SafeTensorsFile Open(string path, long maxHeaderBytes = DefaultMaxHeaderBytes)
    {
        if (!File.Exists(path)) throw new InvalidInputException(path, "file not found");
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        try
        {
            var (dataStart, tensors, metadata) = ReadHeader(path, stream, maxHeaderBytes);
            return new SafeTensorsFile(path, stream, dataStart, tensors, metadata);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static (long, Dictionary<string, SafeTensorInfo>, Dictionary<string, string>) ReadHeader(
        string path, FileStream stream, long maxHeaderBytes)
    {
        long fileLength = stream.Length;
        if (fileLength < 8) throw Bad(path, $"file is {fileLength} bytes, shorter than the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        RandomAccess.Read(stream.SafeFileHandle, lengthBytes, 0);
        ulong headerLength = BitConverter.IsLittleEndian
            ? BitConverter.ToUInt64(lengthBytes)
            : System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength < 2) throw Bad(path, $"header length {headerLength} is too small for a JSON object");
        if (headerLength > (ulong)maxHeaderBytes) throw Bad(path, $"header length {headerLength} exceeds the limit of {maxHeaderBytes} bytes");
        if (headerLength > (ulong)(fileLength - 8)) throw Bad(path, $"header length {headerLength} runs past the end of the file ({fileLength} bytes)");

        var header = new byte[headerLength];
        ReadExactly(stream, header, 8);
        if (header[0] != (byte)'{') throw Bad(path, "header does not start with '{'");

        long dataStart = 8 + (long)headerLength;
        long dataLength = fileLength - dataStart;
        var tensors = new Dictionary<string, SafeTensorInfo>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 8 }); }
        catch (JsonException e) { throw Bad(path, $"header is not valid JSON ({e.Message})"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad(path, "header is not a JSON object");
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object) throw Bad(path, "__metadata__ is not an object");
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String) throw Bad(path, $"__metadata__ value '{m.Name}' is not a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                if (tensors.ContainsKey(prop.Name)) throw Bad(path, $"tensor '{prop.Name}' is listed twice");
                tensors[prop.Name] = ParseEntry(path, prop.Name, prop.Value, dataLength);
            }
        }
        CheckLayout(path, tensors.Values, dataLength);
        return (dataStart, tensors, metadata);
    }

    private static SafeTensorInfo ParseEntry(string path, string name, JsonElement e, long dataLength)
    {
        if (e.ValueKind != JsonValueKind.Object) throw Bad(path, $"tensor '{name}': entry is not an object");
        if (!e.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String) throw Bad(path, $"tensor '{name}': missing dtype");
        string dtype = dt.GetString()!;
        if (!DTypeSizes.TryGetValue(dtype, out int elementSize)) throw Bad(path, $"tensor '{name}': unknown dtype '{dtype}'");
        if (!e.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array) throw Bad(path, $"tensor '{name}': missing shape");
        var shape = new long[sh.GetArrayLength()];
        int i = 0;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long v) || v < 0)
                throw Bad(path, $"tensor '{name}': shape entry {i} is not a non-negative integer");
            shape[i++] = v;
        }
        if (!e.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw Bad(path, $"tensor '{name}': data_offsets must be [begin, end]");
        if (!off[0].TryGetInt64(out long begin) || !off[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw Bad(path, $"tensor '{name}': data_offsets must be integers with 0 <= begin <= end");
        if (end > dataLength) throw Bad(path, $"tensor '{name}': data_offsets [{begin}, {end}] run past the data buffer ({dataLength} bytes)");
        long expected;
        try { expected = checked(shape.Aggregate(1L, (a, b) => checked(a * b)) * elementSize); }
        catch (OverflowException) { throw Bad(path, $"tensor '{name}': shape [{string.Join(",", shape)}] overflows"); }
        if (end - begin != expected)
            throw Bad(path, $"tensor '{name}': {end - begin} bytes in data_offsets but shape [{string.Join(",", shape)}] × {dtype} needs {expected}");
        return new SafeTensorInfo(name, dtype, shape, begin, end);
    }

    // The format requires the tensors to tile the data buffer exactly: no overlaps (aliasing) and no holes.
    private static void CheckLayout(string path, IEnumerable<SafeTensorInfo> tensors, long dataLength)
    {
        long cursor = 0;
        foreach (var t in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            if (t.Begin < cursor) throw Bad(path, $"tensor '{t.Name}' overlaps the previous tensor (starts at {t.Begin}, previous ends at {cursor})");
            if (t.Begin > cursor) throw Bad(path, $"hole in the data buffer before tensor '{t.Name}' (bytes {cursor}..{t.Begin})");
            cursor = t.End;
        }
        if (cursor != dataLength) throw Bad(path, $"data buffer is {dataLength} bytes but the tensors cover {cursor}");
    }

    /// <summary>Reads tensor <paramref name="name"/> converted to float (F32, F16, BF16 and F64 are supported).</summary>
    public float[] ReadFloats(string name)
    {
        var info = Get(name);
        var raw = new byte[info.End - info.Begin];
        ReadExactly(_stream, raw, _dataStart + info.Begin);
        return ToFloats(Path, info, raw);
    }

    /// <summary>Reads tensor <paramref name="name"/> as a float32 TorchSharp tensor of its shape (caller disposes).</summary>
    public Tensor ReadTensor(string name) => tensor(ReadFloats(name), Get(name).Shape, ScalarType.Float32);

    /// <summary>True when the file has a tensor called <paramref name="name"/>.</summary>
    public bool Contains(string name) => Tensors.ContainsKey(name);

    private SafeTensorInfo Get(string name) =>
        Tensors.TryGetValue(name, out var info) ? info : throw new InvalidInputException(Path, $"has no tensor named '{name}'");

    internal static float[] ToFloats(string path, SafeTensorInfo info, byte[] raw)
    {
        long n = info.ElementCount;
        var result = new float[n];
        switch (info.DType)
        {
            case "F32":
                Buffer.BlockCopy(raw, 0, result, 0, raw.Length);
                if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts");
                break;
            case "F16":
                for (long i = 0; i < n; i++) result[i] = (float)BitConverter.UInt16BitsToHalf(BitConverter.ToUInt16(raw, (int)(2 * i)));
                break;
            case "BF16":
                // bfloat16 is the upper half of an IEEE float32.
                for (long i = 0; i < n; i++) result[i] = BitConverter.Int32BitsToSingle(BitConverter.ToUInt16(raw, (int)(2 * i)) << 16);
                break;
            case "F64":
                for (long i = 0; i < n; i++) result[i] = (float)BitConverter.ToDouble(raw, (int)(8 * i));
                break;
            default:
                throw Bad(path, $"tensor '{info.Name}' has dtype {info.DType}; only F32, F16, BF16 and F64 convert to float");
        }
        return result;
    }

    private static void ReadExactly(FileStream stream, byte[] buffer, long offset)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int n = RandomAccess.Read(stream.SafeFileHandle, buffer.AsSpan(done), offset + done);
            if (n <= 0) throw new InvalidInputException(stream.Name, "file ended early (truncated?)");
            done += n;
        }
    }

    private static InvalidInputException Bad(string path, string problem) => new(path, "not a valid safetensors file: " + problem);

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
