using TorchSharp;
using static TorchSharp.torch;

namespace Convolve.Weights;

/// <summary>
/// The weights of one TensorFlow.js model (a <c>*-weights_manifest.json</c> and its binary shards), decoded to float32
/// and looked up by name, in TF.js's own shapes and layouts (conv filters HWIO; see <see cref="ToOihw"/>).
/// </summary>
/// <remarks>
/// Format (spec faceapi-models.md §1): the manifest is an array of groups; each group's shard files are concatenated
/// in order into one buffer (an entry may span two shards); entries lie back-to-back in manifest order with no
/// alignment; quantized entries are uint8/uint16 (<c>q·scale+min</c>) or float16. The sizes must add up exactly.
/// Instances are immutable and safe to share between threads.
/// </remarks>
public sealed class TfjsWeights
{
    private readonly Dictionary<string, (TfjsWeightSpec Spec, float[] Values)> _weights;

    private TfjsWeights(string manifestPath, Dictionary<string, (TfjsWeightSpec, float[])> weights, IReadOnlyList<TfjsWeightSpec> specs)
    {
        ManifestPath = manifestPath;
        _weights = weights;
        Specs = specs;
    }

    /// <summary>The manifest this was loaded from.</summary>
    public string ManifestPath { get; }

    /// <summary>Every entry, in manifest (storage) order.</summary>
    public IReadOnlyList<TfjsWeightSpec> Specs { get; }

    /// <summary>Number of tensors.</summary>
    public int Count => Specs.Count;

    /// <summary>Total number of elements over all tensors.</summary>
    public long ParameterCount => Specs.Sum(s => s.ElementCount);

    /// <summary>True when a tensor named <paramref name="name"/> exists.</summary>
    public bool Contains(string name) => _weights.ContainsKey(name);

    /// <summary>Loads a manifest and all its shards (paths relative to the manifest's folder).</summary>
    /// <exception cref="InvalidInputException">The manifest is malformed, a shard is missing or truncated, or the
    /// sizes do not add up; the message names the file.</exception>
    public static TfjsWeights Load(string manifestPath)
    {
        string json;
        try { json = File.ReadAllText(manifestPath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException(manifestPath, $"cannot read the weights manifest: {e.Message}", e);
        }

        var groups = TfjsManifestParser.Parse(manifestPath, json);
        string dir = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        var weights = new Dictionary<string, (TfjsWeightSpec, float[])>(StringComparer.Ordinal);
        var specs = new List<TfjsWeightSpec>();
        foreach (var group in groups)
        {
            var shardPaths = group.Paths.Select(p => Path.Combine(dir, p)).ToList();
            byte[] buffer = ReadShards(manifestPath, shardPaths, group.Weights);
            long offset = 0;
            foreach (var spec in group.Weights)
            {
                if (weights.ContainsKey(spec.Name))
                    throw new InvalidInputException(manifestPath, $"weight '{spec.Name}' is listed twice");
                var values = TfjsWeightDecoder.Decode(spec, buffer.AsSpan(checked((int)offset), checked((int)spec.ByteCount)));
                weights[spec.Name] = (spec, values);
                specs.Add(spec);
                offset += spec.ByteCount;
            }
        }
        return new TfjsWeights(manifestPath, weights, specs);
    }

    /// <summary>
    /// A new float32 tensor (on the CPU, owned by the caller) holding the weight <paramref name="name"/> in its stored
    /// TF.js shape. int32 weights are returned as float32 values.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such weight; the message names the manifest.</exception>
    public Tensor Get(string name)
    {
        var (spec, values) = Lookup(name);
        return tensor(values, spec.Shape, ScalarType.Float32);
    }

    /// <summary>The stored TF.js shape of <paramref name="name"/>.</summary>
    public long[] Shape(string name) => (long[])Lookup(name).Spec.Shape.Clone();

    /// <summary>A copy of the decoded values of <paramref name="name"/> (row-major in the stored shape).</summary>
    public float[] Values(string name) => (float[])Lookup(name).Values.Clone();

    /// <summary>A regular conv filter stored HWIO <c>[kh, kw, in, out]</c> as Torch OIHW <c>[out, in, kh, kw]</c> (new contiguous tensor).</summary>
    public static Tensor ToOihw(Tensor hwio)
    {
        if (hwio.dim() != 4) throw new ArgumentException($"Expected a 4-D HWIO filter, got [{string.Join(",", hwio.shape)}].", nameof(hwio));
        return hwio.permute(3, 2, 0, 1).contiguous();
    }

    /// <summary>
    /// A depthwise filter stored <c>[kh, kw, in, mult]</c> as Torch grouped-conv weights <c>[in·mult, 1, kh, kw]</c>
    /// (output channel <c>i·mult + m</c>); run it with <c>groups = in</c>.
    /// </summary>
    public static Tensor DepthwiseToOihw(Tensor depthwise)
    {
        if (depthwise.dim() != 4) throw new ArgumentException($"Expected a 4-D depthwise filter, got [{string.Join(",", depthwise.shape)}].", nameof(depthwise));
        long kh = depthwise.shape[0], kw = depthwise.shape[1], cin = depthwise.shape[2], mult = depthwise.shape[3];
        return depthwise.permute(2, 3, 0, 1).reshape(cin * mult, 1, kh, kw).contiguous();
    }

    /// <summary>The filter <paramref name="name"/> (HWIO) converted to OIHW; see <see cref="ToOihw"/>.</summary>
    public Tensor GetOihw(string name)
    {
        using var hwio = Get(name);
        return ToOihw(hwio);
    }

    /// <summary>The depthwise filter <paramref name="name"/> converted to grouped-conv weights; see <see cref="DepthwiseToOihw"/>.</summary>
    public Tensor GetDepthwiseOihw(string name)
    {
        using var dw = Get(name);
        return DepthwiseToOihw(dw);
    }

    private (TfjsWeightSpec Spec, float[] Values) Lookup(string name) =>
        _weights.TryGetValue(name, out var w) ? w : throw new KeyNotFoundException($"{ManifestPath}: no weight named '{name}'.");

    private static byte[] ReadShards(string manifestPath, IReadOnlyList<string> shardPaths, IReadOnlyList<TfjsWeightSpec> specs)
    {
        long expected = specs.Sum(s => s.ByteCount);
        foreach (var p in shardPaths)
            if (!File.Exists(p)) throw new InvalidInputException(p, $"weight shard is missing (listed in {Path.GetFileName(manifestPath)})");
        long total = shardPaths.Sum(p => new FileInfo(p).Length);
        if (total < expected)
            throw new InvalidInputException(shardPaths.Count > 0 ? shardPaths[^1] : manifestPath,
                $"weight data is truncated: the manifest describes {expected} bytes but the shards hold {total}");
        if (total > expected)
            throw new InvalidInputException(manifestPath,
                $"size mismatch: the manifest describes {expected} bytes but its shards ({string.Join(", ", shardPaths.Select(Path.GetFileName))}) hold {total}");
        if (total > Array.MaxLength) throw new InvalidInputException(manifestPath, $"weight group of {total} bytes is too large");

        var buffer = new byte[total];
        int pos = 0;
        foreach (var p in shardPaths)
        {
            try
            {
                using var f = File.OpenRead(p);
                f.ReadExactly(buffer, pos, (int)f.Length);
                pos += (int)f.Length;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidInputException(p, $"cannot read weight shard: {e.Message}", e);
            }
        }
        return buffer;
    }
}
