using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;

namespace Convolve.Weights;

/// <summary>One tensor of a PyTorch checkpoint: its name, storage dtype (<c>Float</c>, <c>Half</c>, …) and shape.</summary>
public sealed record TorchTensorInfo(string Name, string DType, long[] Shape)
{
    /// <summary>Number of elements (product of the shape; 1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// Reads the tensors of a PyTorch checkpoint (<c>torch.save(state_dict, f)</c>, e.g. torchvision's <c>.pth</c> files)
/// without Python. Both formats are supported: the zip format (torch ≥ 1.6: <c>PREFIX/data.pkl</c> plus one entry
/// <c>PREFIX/data/KEY</c> per storage) and the legacy format (torch &lt; 1.6: magic-number, protocol and sys-info
/// pickles, the main pickle, the list of storage keys, then each storage as an int64 element count and its raw
/// little-endian data). The pickles run in a data-only VM that knows just the globals a state_dict uses
/// (<c>collections.OrderedDict</c>, <c>torch._utils._rebuild_tensor[_v2]</c>, <c>torch.*Storage</c>); anything
/// else, and any size that does not fit the file, is an <see cref="InvalidInputException"/> naming the file.
/// Opening reads only the pickles; <see cref="ReadFloats"/> reads one tensor's bytes.
/// </summary>
public sealed class TorchCheckpoint : IDisposable
{
    private const long MaxPickleBytes = 64L * 1024 * 1024;
    private static readonly BigInteger LegacyMagic = BigInteger.Parse("119547037146038801333356");  // 0x1950a86a20f9469cfc6c
    private static readonly Dictionary<string, int> StorageSizes = new()
    {
        ["Float"] = 4, ["Double"] = 8, ["Half"] = 2, ["BFloat16"] = 2,
        ["Long"] = 8, ["Int"] = 4, ["Short"] = 2, ["Char"] = 1, ["Byte"] = 1, ["Bool"] = 1,
    };

    private readonly FileStream _file;
    private readonly ZipArchive? _zip;
    private readonly Dictionary<string, TensorView> _views;
    private readonly Dictionary<string, StorageLocation> _storages;

    private sealed record Storage(string Key, string DType, long Offset, long Numel);
    private sealed record TensorView(Storage Storage, long Offset, long[] Shape, long[] Stride);
    // Where a storage's bytes are: a file offset (legacy) or a zip entry (zip); Numel as the data section says.
    private sealed record StorageLocation(long FileOffset, ZipArchiveEntry? Entry, long Numel);

    private TorchCheckpoint(string path, FileStream file, ZipArchive? zip, Dictionary<string, TensorView> views, Dictionary<string, StorageLocation> storages)
    {
        Path = path;
        _file = file;
        _zip = zip;
        _views = views;
        _storages = storages;
        Tensors = views.ToDictionary(kv => kv.Key, kv => new TorchTensorInfo(kv.Key, kv.Value.Storage.DType, kv.Value.Shape));
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>The tensors, by state_dict name (nested dicts are joined with '.').</summary>
    public IReadOnlyDictionary<string, TorchTensorInfo> Tensors { get; }

    /// <summary>True when the file has a tensor called <paramref name="name"/>.</summary>
    public bool Contains(string name) => Tensors.ContainsKey(name);

    /// <summary>True when the file starts like a PyTorch checkpoint (a zip archive or a protocol-2+ pickle); a cheap sniff, not a validation.</summary>
    public static bool LooksLikeCheckpoint(string path)
    {
        Span<byte> head = stackalloc byte[2];
        try
        {
            using var f = File.OpenRead(path);
            if (f.Read(head) < 2) return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;  // the reader that opens it next reports the problem
        }
        return (head[0] == 0x80 && head[1] >= 2 && head[1] <= 5) || (head[0] == (byte)'P' && head[1] == (byte)'K');
    }

    /// <summary>Opens a checkpoint and reads its tensor list. Throws <see cref="InvalidInputException"/> when the file is not a readable state_dict.</summary>
    public static TorchCheckpoint Open(string path)
    {
        FileStream file;
        try { file = File.OpenRead(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidInputException(path, "cannot open: " + e.Message, e); }
        try
        {
            int first = file.ReadByte();
            file.Position = 0;
            return first == 'P' ? OpenZip(path, file) : OpenLegacy(path, file);
        }
        catch (Exception e) when (e is PickleException or InvalidDataException or EndOfStreamException or OverflowException)
        {
            file.Dispose();
            throw Bad(path, e.Message, e);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static TorchCheckpoint OpenZip(string path, FileStream file)
    {
        var zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
        try
        {
            var pkl = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') <= 1)
                ?? throw Bad(path, "zip archive without data.pkl (not a torch.save file)");
            string prefix = pkl.FullName[..^"data.pkl".Length];
            var order = zip.GetEntry(prefix + "byteorder");
            if (order is not null && ReadAll(order, 16).AsSpan().SequenceEqual("big"u8)) throw Bad(path, "big-endian checkpoints are not supported");
            if (pkl.Length > MaxPickleBytes) throw Bad(path, $"data.pkl is {pkl.Length} bytes");
            var storages = new Dictionary<string, StorageLocation>();
            var main = new PickleReader(new MemoryStream(ReadAll(pkl, pkl.Length)), IsStateDictGlobal, (g, a) => Construct(path, g, a), id =>
            {
                var s = PersistentStorage(id);
                if (!storages.ContainsKey(s.Key))
                {
                    var entry = zip.GetEntry(prefix + "data/" + s.Key) ?? throw Bad(path, $"storage '{s.Key}' has no entry {prefix}data/{s.Key}");
                    storages[s.Key] = new StorageLocation(0, entry, entry.Length / StorageSizes[s.DType]);
                }
                return s;
            }).Load();
            return new TorchCheckpoint(path, file, zip, CollectTensors(path, main), storages);
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    private static TorchCheckpoint OpenLegacy(string path, FileStream file)
    {
        object? Plain() => new PickleReader(file, _ => false, (g, _) => throw Bad(path, $"unexpected call of {g}"), _ => throw Bad(path, "unexpected persistent id")).Load();
        if (Plain() is not BigInteger magic || magic != LegacyMagic) throw Bad(path, "does not start with PyTorch's magic number (not a torch.save file, or a very old tar-format one)");
        if (Plain() is not long protocol || protocol != 1001) throw Bad(path, "unknown PyTorch serialization protocol");
        Plain();  // sys info: endianness and type sizes of the saving machine
        var used = new Dictionary<string, Storage>();
        var main = new PickleReader(file, IsStateDictGlobal, (g, a) => Construct(path, g, a), id =>
        {
            var s = PersistentStorage(id);
            used.TryAdd(s.Key, s);
            return s;
        }).Load();
        if (Plain() is not List<object?> keys) throw Bad(path, "missing the list of storage keys");

        var storages = new Dictionary<string, StorageLocation>();
        var count = new byte[8];
        foreach (var k in keys)
        {
            if (k is not string key || !used.TryGetValue(key, out var s)) throw Bad(path, $"storage key '{k}' is not used by any tensor");
            file.ReadExactlyOrThrow(count);
            long numel = BinaryPrimitives.ReadInt64LittleEndian(count);
            long bytes = numel * StorageSizes[s.DType];
            if (numel < 0 || numel > file.Length || bytes > file.Length - file.Position) throw Bad(path, $"storage '{key}' claims {numel} elements, more than the file holds (truncated?)");
            storages[key] = new StorageLocation(file.Position, null, numel);
            file.Seek(bytes, SeekOrigin.Current);
        }
        if (used.Keys.FirstOrDefault(k => !storages.ContainsKey(k)) is { } missing) throw Bad(path, $"storage '{missing}' is used but not stored");
        return new TorchCheckpoint(path, file, null, CollectTensors(path, main), storages);
    }

    // persistent_load ids: zip ('storage', torch.XStorage, key, location, numel); legacy adds view_metadata (view_key, offset, size) or None.
    private static Storage PersistentStorage(object? id)
    {
        if (id is not object?[] t || t.Length < 5 || t[0] is not "storage") throw new PickleException("a persistent id that is not a storage");
        if (t[1] is not PickleGlobal type || !TryStorageDType(type, out string dtype)) throw new PickleException($"unknown storage type {t[1]}");
        if (t[2] is not string key || t[4] is not long numel || numel < 0) throw new PickleException("a storage id without key or size");
        if (t.Length >= 6 && t[5] is object?[] view)
        {
            if (view.Length != 3 || view[1] is not long offset || view[2] is not long size || offset < 0 || size < 0 || offset + size > numel)
                throw new PickleException($"storage '{key}' has a bad view");
            return new Storage(key, dtype, offset, size);
        }
        return new Storage(key, dtype, 0, numel);
    }

    private static bool TryStorageDType(PickleGlobal g, out string dtype)
    {
        dtype = g.Name.EndsWith("Storage", StringComparison.Ordinal) ? g.Name[..^"Storage".Length] : "";
        return g.Module == "torch" && StorageSizes.ContainsKey(dtype);
    }

    private static bool IsStateDictGlobal(PickleGlobal g) =>
        g is ("collections", "OrderedDict") or ("torch._utils", "_rebuild_tensor_v2") or ("torch._utils", "_rebuild_tensor")
            or ("torch._utils", "_rebuild_parameter")
        || TryStorageDType(g, out _);

    private static object? Construct(string path, PickleGlobal g, object?[] args)
    {
        switch (g.Module, g.Name)
        {
            case ("collections", "OrderedDict"):
            {
                // Python 3 pickles OrderedDict() and fills it with SETITEMS; Python 2.7 passes its items: OrderedDict([[k, v], ...]).
                var dict = new PickleDict();
                if (args.Length == 0) return dict;
                if (args.Length != 1 || args[0] is not List<object?> items) throw Bad(path, "OrderedDict with unexpected arguments");
                foreach (var item in items)
                {
                    var pair = item as IList<object?> ?? throw Bad(path, "OrderedDict item that is not a pair");
                    if (pair.Count != 2 || pair[0] is not (string or long)) throw Bad(path, "OrderedDict item that is not a (name, value) pair");
                    dict.Set(pair[0]!, pair[1]);
                }
                return dict;
            }
            case ("torch._utils", "_rebuild_parameter"):   // (data, requires_grad, backward_hooks)
                return args.Length >= 1 && args[0] is TensorView p ? p : throw Bad(path, "_rebuild_parameter without a tensor");
            case ("torch._utils", "_rebuild_tensor_v2"):   // (storage, offset, size, stride, requires_grad, backward_hooks[, metadata])
            case ("torch._utils", "_rebuild_tensor"):      // (storage, offset, size, stride)
                if (args.Length < 4 || args[0] is not Storage s || args[1] is not long offset || args[2] is not object?[] size || args[3] is not object?[] stride
                    || size.Length != stride.Length || size.Length > 32)
                    throw Bad(path, $"{g} with unexpected arguments");
                var shape = size.Select(x => x is long v && v >= 0 ? v : throw Bad(path, "negative or non-integer tensor size")).ToArray();
                var strides = stride.Select(x => x is long v && v >= 0 ? v : throw Bad(path, "negative or non-integer tensor stride")).ToArray();
                // The last element the view touches must lie inside the storage (an empty tensor touches nothing).
                BigInteger last = offset;
                for (int i = 0; i < shape.Length; i++) last += (BigInteger)(shape[i] - 1) * strides[i];
                if (offset < 0 || (shape.All(n => n > 0) && last >= s.Numel))
                    throw Bad(path, $"a tensor of shape [{string.Join(",", shape)}] does not fit its storage of {s.Numel} elements");
                // Bounds the allocation by the storage (and so by the file): expanded (stride-0) views of a small storage are refused.
                if (shape.Aggregate(BigInteger.One, (a, b) => a * b) > Math.Max(s.Numel, 1))
                    throw Bad(path, $"a tensor of shape [{string.Join(",", shape)}] has more elements than its storage of {s.Numel}");
                return new TensorView(s, offset, shape, strides);
            default:
                throw Bad(path, $"unexpected call of {g}");
        }
    }

    private static Dictionary<string, TensorView> CollectTensors(string path, object? root)
    {
        if (root is not PickleDict dict) throw Bad(path, "holds no state_dict (the pickled object is not a dict)");
        var result = new Dictionary<string, TensorView>();
        var seen = new HashSet<PickleDict>(ReferenceEqualityComparer.Instance);  // memo references could make cycles or fan-outs
        void Walk(PickleDict d, string prefix, int depth)
        {
            if (!seen.Add(d)) return;
            foreach (var (k, v) in d.Items)
            {
                string name = prefix + k;
                if (v is TensorView t) result[name] = t;
                else if (v is PickleDict inner && depth < 8) Walk(inner, name + ".", depth + 1);
            }
        }
        Walk(dict, "", 0);
        return result;
    }

    /// <summary>Reads tensor <paramref name="name"/> converted to float32, row-major (any strides, any storage dtype).</summary>
    public float[] ReadFloats(string name)
    {
        if (!_views.TryGetValue(name, out var v)) throw new InvalidInputException(Path, $"has no tensor named '{name}'");
        long n = v.Shape.Aggregate(1L, (a, b) => a * b);
        if (n == 0) return Array.Empty<float>();
        var loc = _storages[v.Storage.Key];
        // Read only the span of the storage the view touches: [first, last] element.
        long first = v.Storage.Offset + v.Offset, span = 1;
        for (int i = 0; i < v.Shape.Length; i++) span += (v.Shape[i] - 1) * v.Stride[i];
        if (first + span > loc.Numel || n > Math.Max(loc.Numel, 1)) throw new InvalidInputException(Path, $"tensor '{name}' reaches past the end of its storage (truncated?)");
        int size = StorageSizes[v.Storage.DType];
        var raw = new byte[checked(span * size)];
        try
        {
            if (loc.Entry is { } entry)
            {
                using var s = entry.Open();
                Skip(s, first * size);
                s.ReadExactlyOrThrow(raw);
            }
            else
            {
                int done = 0;
                while (done < raw.Length)
                {
                    int got = RandomAccess.Read(_file.SafeFileHandle, raw.AsSpan(done), loc.FileOffset + first * size + done);
                    if (got <= 0) throw new PickleException("the data ends early (truncated?)");
                    done += got;
                }
            }
        }
        catch (Exception e) when (e is PickleException or InvalidDataException) { throw Bad(Path, $"tensor '{name}': {e.Message}", e); }

        var result = new float[n];
        if (v.Storage.DType == "Float" && IsRowMajor(v.Shape, v.Stride) && BitConverter.IsLittleEndian)
        {
            // Contiguous float32 (nearly every weight): the bytes are the row-major array already.
            Buffer.BlockCopy(raw, 0, result, 0, raw.Length);
            return result;
        }
        var index = new long[v.Shape.Length];
        for (long i = 0; i < n; i++)
        {
            long at = 0;
            for (int d = 0; d < index.Length; d++) at += index[d] * v.Stride[d];
            result[i] = Element(raw, (int)(at * size), v.Storage.DType);
            for (int d = index.Length - 1; d >= 0 && ++index[d] == v.Shape[d]; d--) index[d] = 0;
        }
        return result;
    }

    private static bool IsRowMajor(long[] shape, long[] stride)
    {
        long expected = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            if (shape[d] != 1 && stride[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    private static float Element(byte[] raw, int at, string dtype) => dtype switch
    {
        "Float" => BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(at)),
        "Double" => (float)BinaryPrimitives.ReadDoubleLittleEndian(raw.AsSpan(at)),
        "Half" => (float)BinaryPrimitives.ReadHalfLittleEndian(raw.AsSpan(at)),
        "BFloat16" => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan(at)) << 16),  // upper half of a float32
        "Long" => BinaryPrimitives.ReadInt64LittleEndian(raw.AsSpan(at)),
        "Int" => BinaryPrimitives.ReadInt32LittleEndian(raw.AsSpan(at)),
        "Short" => BinaryPrimitives.ReadInt16LittleEndian(raw.AsSpan(at)),
        "Char" => (sbyte)raw[at],
        _ => raw[at],  // Byte, Bool
    };

    private static void Skip(Stream s, long bytes)
    {
        var buffer = new byte[81920];
        while (bytes > 0)
        {
            int got = s.Read(buffer, 0, (int)Math.Min(buffer.Length, bytes));
            if (got <= 0) throw new PickleException("the data ends early (truncated?)");
            bytes -= got;
        }
    }

    private static byte[] ReadAll(ZipArchiveEntry entry, long max)
    {
        using var s = entry.Open();
        var buffer = new byte[Math.Min(entry.Length, max)];
        s.ReadExactlyOrThrow(buffer);
        return buffer;
    }

    private static InvalidInputException Bad(string path, string problem, Exception? inner = null) =>
        new(path, "not a readable PyTorch checkpoint: " + problem, inner);

    /// <inheritdoc />
    public void Dispose()
    {
        _zip?.Dispose();
        _file.Dispose();
    }
}
