using System.Text;
using System.Text.Json;
using Convolve.Models;
using Convolve.Weights;

namespace Convolve.Tests.Weights;

/// <summary>
/// TorchCheckpoint against files PyTorch 1.13 itself wrote (fixtures/make_pth_fixtures.py; expected values are what
/// PyTorch reported for the same tensors), plus truncated, corrupted and hostile variants of them.
/// </summary>
public sealed class TorchCheckpointTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(SharedData.RepoRoot, "tests", "Convolve.Tests", "Weights", "fixtures");
    private readonly string _dir = Directory.CreateTempSubdirectory("convolve-pth-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Fixture(string name) => Path.Combine(Fixtures, name);

    private sealed record Expected(long[] Shape, string DType, double[] Values);

    private static Dictionary<string, Expected> ExpectedTensors(string json)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixture(json)));
        return doc.RootElement.GetProperty("tensors").EnumerateObject().ToDictionary(p => p.Name, p => new Expected(
            p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray(),
            p.Value.GetProperty("dtype").GetString()!,
            p.Value.GetProperty("values").EnumerateArray().Select(e => e.GetDouble()).ToArray()));
    }

    private static void AssertMatchesPyTorch(TorchCheckpoint pth, Dictionary<string, Expected> expected)
    {
        Assert.Equal(expected.Keys.Order(), pth.Tensors.Keys.Order());
        foreach (var (name, e) in expected)
        {
            Assert.Equal(e.Shape, pth.Tensors[name].Shape);
            // float32 and float16 values are exact in float; float64 ones are rounded to float like a .float() would.
            Assert.Equal(e.Values.Select(v => (float)v).ToArray(), pth.ReadFloats(name));
        }
    }

    [Theory]
    [InlineData("tiny_zip.pth")]
    [InlineData("tiny_legacy.pth")]
    public void ReadsEveryTensorAsPyTorchWroteIt(string file)
    {
        using var pth = TorchCheckpoint.Open(Fixture(file));
        AssertMatchesPyTorch(pth, ExpectedTensors("tiny_expected.json"));
        Assert.Equal("Half", pth.Tensors["features.3.weight"].DType);
        Assert.Equal("Double", pth.Tensors["classifier.0.bias"].DType);
        Assert.Equal("Float", pth.Tensors["features.2.weight"].DType);
        Assert.Empty(pth.Tensors["scalar"].Shape);
    }

    [Fact]
    public void ReadsTheOldTensorReductionOfTorchBefore04()
    {
        // Legacy format with torch._utils._rebuild_tensor(storage, offset, size, stride), as 2017-era files (vgg19-dcbb9e9d.pth) may use.
        using var pth = TorchCheckpoint.Open(Fixture("tiny_old_rebuild_tensor.pth"));
        var all = ExpectedTensors("tiny_expected.json");
        var names = new[] { "features.0.weight", "features.2.weight", "features.3.weight", "shared.a", "shared.b" };
        AssertMatchesPyTorch(pth, names.ToDictionary(n => n, n => all[n]));
    }

    [Fact]
    public void TransposedAndOffsetViewsAreCopiedInRowMajorOrder()
    {
        // features.2.weight is rand(3,4).t(): stride (1,4). Its row-major copy read back transposed is the original order.
        using var pth = TorchCheckpoint.Open(Fixture("tiny_zip.pth"));
        var t = pth.ReadFloats("features.2.weight");  // shape [4,3]
        var e = ExpectedTensors("tiny_expected.json")["features.2.weight"].Values;
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 3; c++)
                Assert.Equal((float)e[r * 3 + c], t[r * 3 + c]);
        Assert.Equal(new long[] { 4, 3 }, pth.Tensors["features.2.weight"].Shape);
    }

    [Fact]
    public void ConvertsAVgg19LayoutCheckpointKeepingOnlyTheConvolutions()
    {
        string source = Fixture("tiny_vgg19_layout_legacy.pth");
        string target = Path.Combine(_dir, "vgg19-conv.safetensors");
        Vgg19Weights.KeepConvolutionsOnly(source, target);

        var expected = ExpectedTensors("tiny_vgg19_layout_expected.json");
        using var st = SafeTensorsFile.Open(target);
        Assert.Equal(32, st.Tensors.Count);
        Assert.DoesNotContain(st.Tensors.Keys, k => k.StartsWith("classifier", StringComparison.Ordinal));
        foreach (var (name, e) in expected.Where(kv => kv.Key.StartsWith("features.", StringComparison.Ordinal)))
        {
            Assert.Equal(e.Shape, st.Tensors[name].Shape);
            Assert.Equal(e.Values.Select(v => (float)v).ToArray(), st.ReadFloats(name));
        }
    }

    [Fact]
    public void StyleWeightsOptionAcceptsAPthFile()
    {
        // Vgg19Features reads a .pth through a cached conv-only conversion; all 16 convolutions are found.
        string copy = Path.Combine(_dir, "my-vgg19.pth");
        File.Copy(Fixture("tiny_vgg19_layout_legacy.pth"), copy);
        Assert.Equal("relu5_4", Vgg19Features.DeepestAvailableLayer(copy, Vgg19Layout.Torchvision));
        string converted = Vgg19Weights.AsSafeTensors(copy);
        Assert.NotEqual(copy, converted);
        try
        {
            using var st = SafeTensorsFile.Open(converted);
            Assert.True(st.Contains("features.34.bias"));
            Assert.Equal(Vgg19Weights.AsSafeTensors(copy), converted);  // made once, then reused
        }
        finally
        {
            File.Delete(converted);
        }
    }

    [Fact]
    public void SafeTensorsPathsPassThroughUnchanged()
    {
        string st = Path.Combine(_dir, "w.safetensors");
        SafeTensorsWriter.Write(st, new[] { new SafeTensorsWriter.Entry("x", new long[] { 1 }, new[] { 1f }) });
        Assert.Equal(st, Vgg19Weights.AsSafeTensors(st));
    }

    [Theory]
    [InlineData("tiny_zip.pth")]
    [InlineData("tiny_legacy.pth")]
    public void EveryTruncationIsAClearErrorNamingTheFile(string file)
    {
        var bytes = File.ReadAllBytes(Fixture(file));
        string path = Path.Combine(_dir, "cut.pth");
        for (int length = 0; length < bytes.Length; length++)
        {
            File.WriteAllBytes(path, bytes[..length]);
            var error = Assert.Throws<InvalidInputException>(() => ReadEverything(path));
            Assert.Equal(path, error.Path);
        }
    }

    [Theory]
    [InlineData("tiny_zip.pth")]
    [InlineData("tiny_legacy.pth")]
    public void CorruptedBytesNeverCrash(string file)
    {
        // Each byte in turn replaced by a few values: either the file still reads or it is an InvalidInputException.
        var original = File.ReadAllBytes(Fixture(file));
        string path = Path.Combine(_dir, "flipped.pth");
        int rejected = 0;
        foreach (byte value in new byte[] { 0x00, 0xff, 0x7f })
            for (int i = 0; i < original.Length; i++)
            {
                var bytes = (byte[])original.Clone();
                if (bytes[i] == value) continue;
                bytes[i] = value;
                File.WriteAllBytes(path, bytes);
                try { ReadEverything(path); }
                catch (InvalidInputException e) { Assert.Equal(path, e.Path); rejected++; }
            }
        Assert.True(rejected > original.Length / 4, $"only {rejected} corruptions were noticed");
    }

    [Fact]
    public void GarbageAndOtherFormatsAreRejected()
    {
        var rng = new Random(7);
        var noise = new byte[4096];
        rng.NextBytes(noise);
        foreach (var content in new[]
        {
            Array.Empty<byte>(),
            Encoding.UTF8.GetBytes("hello, not a checkpoint"),
            noise,
            new byte[] { 0x80, 0x02 }.Concat(noise).ToArray(),
            "PK\u0003\u0004"u8.ToArray().Concat(noise).ToArray(),
        })
        {
            string path = Path.Combine(_dir, "garbage.pth");
            File.WriteAllBytes(path, content);
            var error = Assert.Throws<InvalidInputException>(() => ReadEverything(path));
            Assert.Equal(path, error.Path);
        }
    }

    [Fact]
    public void AStorageClaimingMoreThanTheFileHoldsIsRejectedWithoutAllocating()
    {
        // Legacy layout: ... keys-list pickle STOP, then int64 element count of the first storage (108 for features.0.weight).
        var bytes = File.ReadAllBytes(Fixture("tiny_legacy.pth"));
        byte[] marker = [(byte)'.', 108, 0, 0, 0, 0, 0, 0, 0];
        int at = bytes.AsSpan().IndexOf(marker);
        Assert.True(at > 0);
        BitConverter.GetBytes(1L << 60).CopyTo(bytes, at + 1);
        string path = Path.Combine(_dir, "huge.pth");
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InvalidInputException>(() => TorchCheckpoint.Open(path));
        Assert.Contains("more than the file holds", error.Message);
    }

    [Fact]
    public void AnyOtherPythonGlobalIsRefusedByName()
    {
        // Same file, but the state_dict's class is os.system: a pickle that would run code in Python.
        var bytes = File.ReadAllBytes(Fixture("tiny_legacy.pth"));
        var from = "collections\nOrderedDict\n"u8.ToArray();
        int at = bytes.AsSpan().IndexOf(from);
        Assert.True(at > 0);
        var hostile = bytes[..at].Concat("posix\nsystem\n"u8.ToArray()).Concat(bytes[(at + from.Length)..]).ToArray();
        string path = Path.Combine(_dir, "hostile.pth");
        File.WriteAllBytes(path, hostile);
        var error = Assert.Throws<InvalidInputException>(() => TorchCheckpoint.Open(path));
        Assert.Equal(path, error.Path);
        Assert.Contains("posix.system", error.Message);
    }

    [Fact]
    public void ADictThatContainsItselfIsWalkedOnce()
    {
        // Legacy header pickles from a real file, then a hand-written main pickle: d = {}; d["k0"] = d; … d["k49"] = d
        // (50 memo references: walking nested dicts naively would visit 50^8 entries), then an empty storage-key list.
        var header = File.ReadAllBytes(Fixture("tiny_legacy.pth"))[..HeaderLength()];
        var main = new List<byte> { 0x80, 0x02, (byte)'}', (byte)'q', 0, (byte)'(' };
        for (int i = 0; i < 50; i++)
        {
            var key = Encoding.ASCII.GetBytes($"k{i}");
            main.AddRange([0x8c, (byte)key.Length, .. key, (byte)'h', 0]);  // SHORT_BINUNICODE key, BINGET 0
        }
        main.AddRange([(byte)'u', (byte)'.', 0x80, 0x02, (byte)']', (byte)'.']);  // SETITEMS STOP; [] STOP
        string path = Path.Combine(_dir, "cycle.pth");
        File.WriteAllBytes(path, [.. header, .. main]);
        using var pth = TorchCheckpoint.Open(path);
        Assert.Empty(pth.Tensors);
    }

    // Length of the three header pickles (magic, protocol, sys info) of the legacy fixture: they end at the third STOP
    // that is followed by the main pickle's PROTO 2.
    private static int HeaderLength()
    {
        var bytes = File.ReadAllBytes(Fixture("tiny_legacy.pth"));
        byte[] mainStart = [0x80, 0x02, (byte)'c', .. "collections"u8];
        int at = bytes.AsSpan().IndexOf(mainStart);
        return at > 0 ? at : throw new InvalidOperationException("fixture layout changed");
    }

    private static void ReadEverything(string path)
    {
        using var pth = TorchCheckpoint.Open(path);
        foreach (var name in pth.Tensors.Keys) pth.ReadFloats(name);
    }
}
