using Convolve.Build;
using static TorchSharp.torch;

namespace Convolve.Tests.Build;

public class GlibcxxVersionFixTests
{
    private static string ShippedGlue()
    {
        // The copy in the NuGet cache is the untouched original; the build output holds the fixed copy.
        string nuget = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(nuget, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
    }

    private static string OutputGlue() =>
        Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [Fact]
    public void TorchSharpLoadsAndRunsAConvolutionWithAutograd()
    {
        using var scope = NewDisposeScope();
        var x = randn(1, 2, 5, 5, requires_grad: true);
        var w = ones(3, 2, 3, 3);
        var y = nn.functional.conv2d(x, w, padding: new long[] { 1, 1 });
        y.sum().backward();
        Assert.Equal(new long[] { 1, 3, 5, 5 }, y.shape);
        // d(sum y)/dx at the centre pixel: every output channel (3) sees it through all 9 taps.
        Assert.Equal(27f, x.grad![0, 0, 2, 2].item<float>(), 4);
        // At a corner only a 2x2 window of taps reaches it: 3 * 4.
        Assert.Equal(12f, x.grad![0, 0, 0, 0].item<float>(), 4);
    }

    [Fact]
    public void AnAlreadyCompatibleSystemLeavesTheFileByteIdentical()
    {
        string copy = CopyOf(ShippedGlue());
        byte[] before = File.ReadAllBytes(copy);
        string newSystem = FakeLibStdCxxDefining("GLIBCXX_3.4.30", GlibcxxVersionFix.Version);

        Assert.Equal(GlibcxxFixOutcome.SystemIsNewEnough, GlibcxxVersionFix.Apply(copy, newSystem));
        Assert.Equal(before, File.ReadAllBytes(copy));
    }

    [Fact]
    public void OnAnOldSystemExactlyTwoFlagBytesChangeAndASecondRunChangesNothing()
    {
        string copy = CopyOf(ShippedGlue());
        byte[] before = File.ReadAllBytes(copy);
        string oldSystem = FakeLibStdCxxDefining("GLIBCXX_3.4.29", "GLIBCXX_3.4.30");

        Assert.Equal(GlibcxxFixOutcome.Patched, GlibcxxVersionFix.Apply(copy, oldSystem));
        byte[] after = File.ReadAllBytes(copy);
        Assert.Equal(before.Length, after.Length);
        int[] changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
        Assert.Single(changed); // VER_FLG_WEAK (0x2) sits in the low byte of vna_flags.
        Assert.Equal(before[changed[0]] | 0x2, after[changed[0]]);

        Assert.Equal(GlibcxxFixOutcome.AlreadyWeak, GlibcxxVersionFix.Apply(copy, oldSystem));
        Assert.Equal(after, File.ReadAllBytes(copy));
        // The build output holds the same fixed bytes as this test produced.
        if (GlibcxxVersionFix.FindSystemLibStdCxx() is { } sys && !GlibcxxVersionFix.DefinedVersions(File.ReadAllBytes(sys)).Contains(GlibcxxVersionFix.Version))
            Assert.Equal(after, File.ReadAllBytes(OutputGlue()));
    }

    [Fact]
    public void AFileThatDoesNotNeedTheVersionIsUntouched()
    {
        // The system libstdc++ itself requires no GLIBCXX version from anyone.
        string sys = GlibcxxVersionFix.FindSystemLibStdCxx() ?? throw new InvalidOperationException("no libstdc++ found");
        string copy = CopyOf(sys);
        byte[] before = File.ReadAllBytes(copy);
        Assert.Equal(GlibcxxFixOutcome.NotRequired, GlibcxxVersionFix.Apply(copy, FakeLibStdCxxDefining("GLIBCXX_3.4")));
        Assert.Equal(before, File.ReadAllBytes(copy));
    }

    [Fact]
    public void ANonElfFileIsAClearError()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "not-a-library.so");
        File.WriteAllText(path, "hello");
        var e = Assert.Throws<InvalidDataException>(() => GlibcxxVersionFix.Apply(path, null));
        Assert.Contains("not-a-library.so", e.Message);
    }

    private static string CopyOf(string path)
    {
        string dest = Path.Combine(Directory.CreateTempSubdirectory().FullName, Path.GetFileName(path));
        File.Copy(path, dest);
        return dest;
    }

    /// <summary>A minimal ELF64 file whose .gnu.version_d defines the given version names.</summary>
    private static string FakeLibStdCxxDefining(params string[] versions)
    {
        var strtab = new List<byte> { 0 };
        var nameOffsets = new List<int>();
        foreach (string v in versions) { nameOffsets.Add(strtab.Count); strtab.AddRange(System.Text.Encoding.ASCII.GetBytes(v)); strtab.Add(0); }

        var verdef = new List<byte>();
        for (int i = 0; i < versions.Length; i++)
        {
            bool last = i == versions.Length - 1;
            verdef.AddRange(BitConverter.GetBytes((ushort)1));            // vd_version
            verdef.AddRange(BitConverter.GetBytes((ushort)0));            // vd_flags
            verdef.AddRange(BitConverter.GetBytes((ushort)(i + 1)));      // vd_ndx
            verdef.AddRange(BitConverter.GetBytes((ushort)1));            // vd_cnt
            verdef.AddRange(BitConverter.GetBytes(0u));                   // vd_hash
            verdef.AddRange(BitConverter.GetBytes(20u));                  // vd_aux
            verdef.AddRange(BitConverter.GetBytes(last ? 0u : 28u));      // vd_next
            verdef.AddRange(BitConverter.GetBytes((uint)nameOffsets[i])); // vda_name
            verdef.AddRange(BitConverter.GetBytes(0u));                   // vda_next
        }

        const int headerSize = 64;
        int strOff = headerSize, defOff = strOff + strtab.Count, shOff = defOff + verdef.Count;
        var file = new byte[shOff + 3 * 64];
        new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1 }.CopyTo(file, 0);
        BitConverter.GetBytes((ulong)shOff).CopyTo(file, 0x28);
        BitConverter.GetBytes((ushort)64).CopyTo(file, 0x3a);
        BitConverter.GetBytes((ushort)3).CopyTo(file, 0x3c);
        strtab.CopyTo(file, strOff);
        verdef.CopyTo(file, defOff);
        void Section(int index, uint type, int offset, int size, uint link, uint info)
        {
            int h = shOff + index * 64;
            BitConverter.GetBytes(type).CopyTo(file, h + 4);
            BitConverter.GetBytes((ulong)offset).CopyTo(file, h + 24);
            BitConverter.GetBytes((ulong)size).CopyTo(file, h + 32);
            BitConverter.GetBytes(link).CopyTo(file, h + 40);
            BitConverter.GetBytes(info).CopyTo(file, h + 44);
        }
        Section(1, 3, strOff, strtab.Count, 0, 0);                          // SHT_STRTAB
        Section(2, 0x6ffffffd, defOff, verdef.Count, 1, (uint)versions.Length); // SHT_GNU_verdef
        string path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "libstdc++.so.6");
        File.WriteAllBytes(path, file);
        return path;
    }
}
