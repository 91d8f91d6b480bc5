using System.Buffers.Binary;
using Convolve.Weights;
using TorchSharp;

namespace Convolve.Tests.Weights;

/// <summary>The TF.js manifest loader on small manifests written here, and on the five real face-api models.</summary>
public sealed class TfjsWeightsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tfjs-weights-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string manifestJson, params (string Name, byte[] Bytes)[] shards)
    {
        foreach (var (name, bytes) in shards) File.WriteAllBytes(Path.Combine(_dir, name), bytes);
        string path = Path.Combine(_dir, "m-weights_manifest.json");
        File.WriteAllText(path, manifestJson);
        return path;
    }

    private static byte[] Floats(params float[] v)
    {
        var b = new byte[v.Length * 4];
        for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(4 * i), v[i]);
        return b;
    }

    [Fact]
    public void Uint8_then_unaligned_float32_spanning_two_shards_decode_by_hand()
    {
        // 3 uint8 bytes then a [2] float32 entry starting at byte 3 (unaligned); shard boundary at byte 5 cuts the first float.
        byte[] all = [0, 1, 255, .. Floats(1.5f, -2.25f)];
        string m = Write("""
            [{"paths":["a.bin","b.bin"],"weights":[
              {"name":"q","shape":[3],"dtype":"float32","quantization":{"dtype":"uint8","scale":0.5,"min":-1.0}},
              {"dtype":"float32","shape":[2],"name":"f"}]}]
            """, ("a.bin", all[..5]), ("b.bin", all[5..]));

        var w = TfjsWeights.Load(m);

        Assert.Equal([-1f, -0.5f, 126.5f], w.Values("q"));   // q·0.5 − 1
        Assert.Equal([1.5f, -2.25f], w.Values("f"));
        Assert.Equal(2, w.Count);
        Assert.Equal(5, w.ParameterCount);
    }

    [Fact]
    public void Float16_and_uint16_quantization_decode_by_hand()
    {
        var b = new byte[8];
        BinaryPrimitives.WriteHalfLittleEndian(b.AsSpan(0), (Half)0.333251953125);   // exactly representable
        BinaryPrimitives.WriteHalfLittleEndian(b.AsSpan(2), (Half)(-65504));
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(4), 1000);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(6), 65535);
        string m = Write("""
            [{"paths":["w.bin"],"weights":[
              {"name":"h","shape":[1,2],"dtype":"float32","quantization":{"dtype":"float16"}},
              {"name":"u","shape":[2],"dtype":"float32","quantization":{"dtype":"uint16","scale":0.001,"min":2}}]}]
            """, ("w.bin", b));

        var w = TfjsWeights.Load(m);

        Assert.Equal([0.333251953125f, -65504f], w.Values("h"));
        Assert.Equal(new long[] { 1, 2 }, w.Shape("h"));
        Assert.Equal([(float)(1000 * 0.001 + 2), (float)(65535 * 0.001 + 2)], w.Values("u"));
    }

    [Fact]
    public void Int32_raw_and_quantized_with_js_rounding_and_scalar_shape()
    {
        byte[] b = [.. BitConverter.GetBytes(-7), 3, 4];   // raw int32 −7, then uint8 3 and 4 with scale 0.5 → 1.5, 2 → round 2, 2
        string m = Write("""
            [{"paths":["w.bin"],"weights":[
              {"name":"i","shape":[],"dtype":"int32"},
              {"name":"qi","shape":[2],"dtype":"int32","quantization":{"dtype":"uint8","scale":0.5,"min":0}}]}]
            """, ("w.bin", b));

        var w = TfjsWeights.Load(m);

        Assert.Equal([-7f], w.Values("i"));
        Assert.Empty(w.Shape("i"));
        Assert.Equal([2f, 2f], w.Values("qi"));   // Math.round(1.5) = 2
    }

    [Fact]
    public void Several_groups_have_their_own_offsets()
    {
        string m = Write("""
            [{"paths":["g1.bin"],"weights":[{"name":"a","shape":[1],"dtype":"float32"}]},
             {"paths":["g2.bin"],"weights":[{"name":"b","shape":[2],"dtype":"float32"}]}]
            """, ("g1.bin", Floats(7)), ("g2.bin", Floats(8, 9)));

        var w = TfjsWeights.Load(m);

        Assert.Equal([7f], w.Values("a"));
        Assert.Equal([8f, 9f], w.Values("b"));
    }

    [Fact]
    public void Get_returns_tensor_in_stored_shape_and_conversions_follow_torch_layouts()
    {
        // HWIO [2,1,2,3]: value = h*100 + w*10*0 + i*10 + o, so OIHW[o,i,h,0] must equal it.
        var hwio = new float[2 * 1 * 2 * 3];
        for (int h = 0; h < 2; h++) for (int i = 0; i < 2; i++) for (int o = 0; o < 3; o++) hwio[(h * 2 + i) * 3 + o] = h * 100 + i * 10 + o;
        string m = Write("""[{"paths":["w.bin"],"weights":[{"name":"f","shape":[2,1,2,3],"dtype":"float32"}]}]""", ("w.bin", Floats(hwio)));
        var w = TfjsWeights.Load(m);

        using var t = w.Get("f");
        Assert.Equal(new long[] { 2, 1, 2, 3 }, t.shape);
        using var oihw = TfjsWeights.ToOihw(t);
        Assert.Equal(new long[] { 3, 2, 2, 1 }, oihw.shape);
        Assert.Equal(112f, oihw[2, 1, 1, 0].item<float>());   // o=2, i=1, h=1

        // Depthwise [kh=2, kw=1, in=3, mult=2] → [6,1,2,1], output channel i*2+m.
        using var dw = torch.arange(12, dtype: torch.float32).reshape(2, 1, 3, 2);
        using var dwt = TfjsWeights.DepthwiseToOihw(dw);
        Assert.Equal(new long[] { 6, 1, 2, 1 }, dwt.shape);
        Assert.Equal(dw[1, 0, 2, 1].item<float>(), dwt[2 * 2 + 1, 0, 1, 0].item<float>());
    }

    [Fact]
    public void Tensors_from_Get_are_independent_copies()
    {
        string m = Write("""[{"paths":["w.bin"],"weights":[{"name":"f","shape":[2],"dtype":"float32"}]}]""", ("w.bin", Floats(1, 2)));
        var w = TfjsWeights.Load(m);
        using (var t = w.Get("f")) t.add_(10f);
        using var again = w.Get("f");
        Assert.Equal([1f, 2f], again.data<float>().ToArray());
    }

    [Fact]
    public void Size_mismatch_names_the_manifest()
    {
        string m = Write("""[{"paths":["w.bin"],"weights":[{"name":"f","shape":[2],"dtype":"float32"}]}]""", ("w.bin", Floats(1, 2, 3)));
        var e = Assert.Throws<InvalidInputException>(() => TfjsWeights.Load(m));
        Assert.Equal(m, e.Path);
        Assert.Contains("size mismatch", e.Message);
        Assert.Contains("8 bytes", e.Message);
    }

    [Fact]
    public void Truncated_shard_is_reported_with_its_name()
    {
        string m = Write("""[{"paths":["w.bin"],"weights":[{"name":"f","shape":[4],"dtype":"float32"}]}]""", ("w.bin", Floats(1, 2, 3)[..10]));
        var e = Assert.Throws<InvalidInputException>(() => TfjsWeights.Load(m));
        Assert.EndsWith("w.bin", e.Path);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Missing_shard_is_reported_with_its_name()
    {
        string m = Write("""[{"paths":["a.bin","gone.bin"],"weights":[{"name":"f","shape":[2],"dtype":"float32"}]}]""", ("a.bin", Floats(1)));
        var e = Assert.Throws<InvalidInputException>(() => TfjsWeights.Load(m));
        Assert.EndsWith("gone.bin", e.Path);
        Assert.Contains("missing", e.Message);
    }

    [Theory]
    [InlineData("""[{"paths":["w.bin"],"weights":[{"name":"f","shape":[1],"dtype":"float32"}""")]
    [InlineData("""{"paths":["w.bin"]}""")]
    [InlineData("""[{"paths":["w.bin"],"weights":[{"name":"f","shape":[1],"dtype":"bool"}]}]""")]
    [InlineData("""[{"paths":["w.bin"],"weights":[{"name":"f","dtype":"float32"}]}]""")]
    [InlineData("""[{"paths":["w.bin"],"weights":[{"name":"f","shape":[1],"dtype":"float32","quantization":{"dtype":"uint8"}}]}]""")]
    public void Malformed_manifest_is_reported_with_its_name(string json)
    {
        string m = Write(json, ("w.bin", Floats(1)));
        var e = Assert.Throws<InvalidInputException>(() => TfjsWeights.Load(m));
        Assert.Equal(m, e.Path);
        Assert.Contains("manifest", e.Message);
    }

    [Fact]
    public void A_graph_model_json_is_read_through_its_weights_manifest()
    {
        // TF.js graph models (model.json) carry the same manifest under "weightsManifest", beside the graph.
        string m = Write("""
            {"format":"graph-model","modelTopology":{"node":[]},
             "weightsManifest":[{"paths":["w.bin"],"weights":[{"name":"k","shape":[2],"dtype":"float32"}]}]}
            """, ("w.bin", Floats(0.5f, -4f)));

        Assert.Equal([0.5f, -4f], TfjsWeights.Load(m).Values("k"));
    }

    [Fact]
    public void An_object_without_a_weights_manifest_is_reported()
    {
        string m = Write("""{"format":"graph-model","modelTopology":{}}""", ("w.bin", Floats(1)));
        var e = Assert.Throws<InvalidInputException>(() => TfjsWeights.Load(m));
        Assert.Contains("weightsManifest", e.Message);
    }

    [Fact]
    public void Unknown_name_names_the_manifest()
    {
        string m = Write("""[{"paths":["w.bin"],"weights":[{"name":"f","shape":[1],"dtype":"float32"}]}]""", ("w.bin", Floats(1)));
        var e = Assert.Throws<KeyNotFoundException>(() => TfjsWeights.Load(m).Get("nope"));
        Assert.Contains("m-weights_manifest.json", e.Message);
    }

    [Theory]   // spec §7: tensors and total elements per model, computed from the manifests
    [InlineData("face_recognition_model", 117, 5_614_592)]
    [InlineData("ssd_mobilenetv1_model", 151, 5_555_541)]
    [InlineData("tiny_face_detector_model", 19, 193_321)]
    [InlineData("face_landmark_68_model", 49, 356_840)]
    [InlineData("face_landmark_68_tiny_model", 28, 77_224)]
    public void Real_face_api_models_load_with_the_published_counts(string model, int tensors, long parameters)
    {
        string dir = SharedData.RequireFaceModels();
        var w = TfjsWeights.Load(Path.Combine(dir, model + "-weights_manifest.json"));
        Assert.Equal(tensors, w.Count);
        Assert.Equal(parameters, w.ParameterCount);
    }

    [Fact]
    public void Real_models_have_the_spec_quirks()
    {
        string dir = SharedData.RequireFaceModels();
        // §1.3: the tiny landmark model's dense0/conv2 filters are all zero.
        var tiny = TfjsWeights.Load(Path.Combine(dir, "face_landmark_68_tiny_model-weights_manifest.json"));
        Assert.All(tiny.Values("dense0/conv2/depthwise_filter"), v => Assert.Equal(0f, v));
        // §3.4: SSD anchors are raw float32 at an odd offset; they must be the TF anchor generator's boxes.
        var ssd = TfjsWeights.Load(Path.Combine(dir, "ssd_mobilenetv1_model-weights_manifest.json"));
        var anchors = ssd.Values("Output/extra_dim");
        Assert.Equal(5118 * 4, anchors.Length);
        // First anchor: layer 0, cell (0,0), scale 0.1 ratio 1: centre 1/64, size 0.1 → [ymin,xmin,ymax,xmax].
        float c = 0.5f / 32, h = 0.05f;
        Assert.Equal([c - h, c - h, c + h, c + h], anchors[..4], (a, b) => Math.Abs(a - b) < 2e-7);
    }
}
