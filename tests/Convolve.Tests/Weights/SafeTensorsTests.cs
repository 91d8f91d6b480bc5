using System.Text;
using Convolve.Weights;

namespace Convolve.Tests.Weights;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("convolve-st-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    // A file exactly as the format describes it: u64 LE header length, JSON header, data.
    private string RawFile(string header, byte[] data, ulong? claimedLength = null)
    {
        string path = PathOf(Guid.NewGuid().ToString("N") + ".safetensors");
        var h = Encoding.UTF8.GetBytes(header);
        using var fs = File.Create(path);
        fs.Write(BitConverter.GetBytes(claimedLength ?? (ulong)h.Length));
        fs.Write(h);
        fs.Write(data);
        return path;
    }

    [Fact]
    public void RoundTripsF32WithShapesAndMetadata()
    {
        string path = PathOf("a.safetensors");
        SafeTensorsWriter.Write(path, new[]
        {
            new SafeTensorsWriter.Entry("w", new long[] { 2, 3 }, new[] { 1f, -2f, 3.5f, 0f, 1e-8f, 7f }),
            new SafeTensorsWriter.Entry("b", new long[] { 1 }, new[] { 42f }),
            new SafeTensorsWriter.Entry("scalar", Array.Empty<long>(), new[] { -1f }),
        }, new Dictionary<string, string> { ["note"] = "hi" });

        using var f = SafeTensorsFile.Open(path);
        Assert.Equal("hi", f.Metadata["note"]);
        Assert.Equal(new long[] { 2, 3 }, f.Tensors["w"].Shape);
        Assert.Equal(new[] { 1f, -2f, 3.5f, 0f, 1e-8f, 7f }, f.ReadFloats("w"));
        Assert.Equal(new[] { 42f }, f.ReadFloats("b"));
        Assert.Equal(new[] { -1f }, f.ReadFloats("scalar"));
        // Header is padded so the data starts 8-byte aligned.
        ulong n = BitConverter.ToUInt64(File.ReadAllBytes(path), 0);
        Assert.Equal(0UL, n % 8);
    }

    [Fact]
    public void DecodesF16AndBF16BitPatternsByHand()
    {
        // F16: 0x3C00 = 1.0, 0xC000 = -2.0, 0x3555 = 0.333251953125; BF16: 0x4049 = 3.140625, 0xBF80 = -1.0.
        var f16 = new byte[] { 0x00, 0x3C, 0x00, 0xC0, 0x55, 0x35 };
        var bf16 = new byte[] { 0x49, 0x40, 0x80, 0xBF };
        string header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[6,10]}}";
        using var f = SafeTensorsFile.Open(RawFile(header, f16.Concat(bf16).ToArray()));
        Assert.Equal(new[] { 1f, -2f, 0.333251953125f }, f.ReadFloats("h"));
        Assert.Equal(new[] { 3.140625f, -1f }, f.ReadFloats("b"));
    }

    [Theory]
    [InlineData("F16")]
    [InlineData("BF16")]
    public void WriterRoundTripsHalfFormatsWithinTheirPrecision(string dtype)
    {
        string path = PathOf(dtype + ".safetensors");
        var values = new[] { 0.1f, -3.75f, 1000f, 1e-3f };
        SafeTensorsWriter.Write(path, new[] { new SafeTensorsWriter.Entry("t", new long[] { 4 }, values) }, dtype: dtype);
        using var f = SafeTensorsFile.Open(path);
        Assert.Equal(dtype, f.Tensors["t"].DType);
        var back = f.ReadFloats("t");
        double relTol = dtype == "F16" ? 1e-3 : 8e-3; // 11 vs 8 significant bits
        for (int i = 0; i < values.Length; i++) Assert.True(Math.Abs(back[i] - values[i]) <= relTol * Math.Abs(values[i]), $"{values[i]} -> {back[i]}");
    }

    [Fact]
    public void ReadsTheSharedVggEncoderHeader()
    {
        string path = SharedData.Require("models/vgg19-normalised-to-conv3_1.safetensors");
        using var f = SafeTensorsFile.Open(path);
        Assert.Equal(12, f.Tensors.Count);
        Assert.Equal(new long[] { 256, 128, 3, 3 }, f.Tensors["conv3_1.weight"].Shape);
        Assert.Equal(256 * 128 * 9, f.ReadFloats("conv3_1.weight").Length);
    }

    public static TheoryData<string, string> MalformedHeaders => new()
    {
        { "{not json", "not valid JSON" },
        { "[1,2]", "does not start with '{'" },
        { "{\"t\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,4]}}", "unknown dtype 'Q7'" },
        { "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", "needs 8" },
        { "{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,400]}}", "run past the data buffer" },
        { "{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", "0 <= begin <= end" },
        { "{\"t\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", "non-negative integer" },
        { "{\"t\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}", "overflows" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "overlaps" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "hole" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "data buffer is 8 bytes but the tensors cover 4" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", "data_offsets must be" },
        { "{\"__metadata__\":{\"k\":1}}", "not a string" },
    };

    [Theory]
    [MemberData(nameof(MalformedHeaders))]
    public void RejectsMalformedHeadersNamingFileAndProblem(string header, string expected)
    {
        string path = RawFile(header, new byte[8]);
        var e = Assert.Throws<InvalidInputException>(() => SafeTensorsFile.Open(path).Dispose());
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void RejectsHugeHeaderLengthWithoutAllocatingIt()
    {
        string path = RawFile("{}", Array.Empty<byte>(), claimedLength: 1UL << 60);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidInputException>(() => SafeTensorsFile.Open(path).Dispose());
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "must not allocate the claimed header size");
        Assert.Contains("exceeds the limit", e.Message);
    }

    [Fact]
    public void RejectsHeaderRunningPastEndOfFile()
    {
        string path = RawFile("{}", Array.Empty<byte>(), claimedLength: 1000);
        Assert.Contains("past the end of the file", Assert.Throws<InvalidInputException>(() => SafeTensorsFile.Open(path).Dispose()).Message);
    }

    [Fact]
    public void RejectsFilesShorterThanTheLengthField()
    {
        string path = PathOf("short.safetensors");
        File.WriteAllBytes(path, new byte[] { 1, 2, 3 });
        Assert.Contains("shorter than the 8-byte", Assert.Throws<InvalidInputException>(() => SafeTensorsFile.Open(path).Dispose()).Message);
    }

    [Fact]
    public void RejectsATruncatedCopyOfAValidFile()
    {
        string path = PathOf("full.safetensors");
        SafeTensorsWriter.Write(path, new[] { new SafeTensorsWriter.Entry("t", new long[] { 100 }, new float[100]) });
        var bytes = File.ReadAllBytes(path);
        string cut = PathOf("cut.safetensors");
        File.WriteAllBytes(cut, bytes[..^10]);
        Assert.Throws<InvalidInputException>(() => SafeTensorsFile.Open(cut).Dispose());
    }

    [Fact]
    public void MissingTensorAndNonFloatDTypeAreClearErrors()
    {
        string header = "{\"i\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        using var f = SafeTensorsFile.Open(RawFile(header, new byte[4]));
        Assert.Contains("no tensor named 'x'", Assert.Throws<InvalidInputException>(() => f.ReadFloats("x")).Message);
        Assert.Contains("only F32, F16, BF16", Assert.Throws<InvalidInputException>(() => f.ReadFloats("i")).Message);
    }
}
