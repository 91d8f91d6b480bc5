using System.Text;
using Convolve.Data;

namespace Convolve.Tests.Training;

/// <summary>Readers, folder datasets, identity split, P×K sampler and augmentations.</summary>
public sealed class DataTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("convolve-data-").FullName;

    [Fact]
    public void Npy_round_trips_and_reads_fortran_order_and_float64()
    {
        string path = Path.Combine(dir, "a.npy");
        var data = Enumerable.Range(0, 24).Select(i => i * 0.5f).ToArray();
        NpyFile.Write(path, data, new long[] { 2, 3, 4 });
        var (read, shape) = NpyFile.Read(path);
        Assert.Equal(new long[] { 2, 3, 4 }, shape);
        Assert.Equal(data, read);

        // A 2×3 float64 array in Fortran order, bytes written by hand: C-order [[1,2,3],[4,5,6]] stored column by column.
        string header = "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }";
        header += new string(' ', 64 - (10 + header.Length + 1) % 64) + "\n";
        using (var w = new BinaryWriter(File.Create(Path.Combine(dir, "f.npy"))))
        {
            w.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 });
            w.Write((ushort)header.Length);
            w.Write(Encoding.ASCII.GetBytes(header));
            foreach (double v in new[] { 1.0, 4, 2, 5, 3, 6 }) w.Write(v);
        }
        var (f, fshape) = NpyFile.Read(Path.Combine(dir, "f.npy"));
        Assert.Equal(new long[] { 2, 3 }, fshape);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, f);
    }

    [Fact]
    public void Corrupt_npy_is_reported_with_its_path()
    {
        string path = Path.Combine(dir, "bad.npy");
        File.WriteAllText(path, "not numpy");
        var e = Assert.Throws<InvalidInputException>(() => NpyFile.Read(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Wav_and_csv_signals_read_back()
    {
        string wav = Path.Combine(dir, "s.wav");
        var samples = new[] { 0f, 0.5f, -0.5f, 0.25f };
        SignalFiles.WriteWav16(wav, samples, 8000);
        var (read, rate) = SignalFiles.ReadWav(wav);
        Assert.Equal(8000, rate);
        for (int i = 0; i < samples.Length; i++) Assert.Equal(samples[i], read[i], 3);

        string csv = Path.Combine(dir, "s.csv");
        File.WriteAllText(csv, "value\n1.5, 2\n-3;4e-1\n");
        Assert.Equal(new[] { 1.5f, 2f, -3f, 0.4f }, SignalFiles.ReadCsv(csv));
        File.WriteAllText(csv, "1,2\n3,x\n");
        Assert.Contains("line 2", Assert.Throws<InvalidInputException>(() => SignalFiles.ReadCsv(csv)).Message);
    }

    [Fact]
    public void Signal_folder_dataset_reads_each_format_to_one_shape_and_names_a_corrupt_file()
    {
        var wave = Enumerable.Range(0, 100).Select(i => (float)Math.Sin(i * 0.3)).ToArray();
        Directory.CreateDirectory(Path.Combine(dir, "bob"));
        Directory.CreateDirectory(Path.Combine(dir, "alice"));
        Directory.CreateDirectory(Path.Combine(dir, "empty"));
        SignalFiles.WriteWav16(Path.Combine(dir, "alice", "1.wav"), wave, 100);
        File.WriteAllText(Path.Combine(dir, "alice", "2.csv"), string.Join(",", wave.Take(40)));
        NpyFile.Write(Path.Combine(dir, "bob", "1.npy"), wave, new long[] { 100 });
        File.WriteAllText(Path.Combine(dir, "bob", "2.npy"), "garbage");
        File.WriteAllText(Path.Combine(dir, "bob", "notes.md"), "ignored");

        var data = FolderDataset.Load(dir, Modality.Signal, size: 64);
        Assert.Equal(new[] { "alice", "bob" }, data.Identities);
        Assert.Equal(4, data.Samples.Count);
        Assert.Equal(new long[] { 1, 64 }, data.SampleShape);
        foreach (int i in new[] { 0, 1, 2 })
        {
            var x = data.Load(i);
            Assert.Equal(64, x.Length);
            Assert.Equal(0.0, x.Average(), 4);                             // standardised
            Assert.Equal(1.0, Math.Sqrt(x.Select(v => v * (double)v).Average()), 3);
        }
        var e = Assert.Throws<InvalidInputException>(() => data.Load(3));
        Assert.Contains(Path.Combine("bob", "2.npy"), e.Message);
    }

    [Fact]
    public void Volume_folder_resizes_and_nifti_is_refused_with_a_clear_message()
    {
        Directory.CreateDirectory(Path.Combine(dir, "v", "a"));
        NpyFile.Write(Path.Combine(dir, "v", "a", "1.npy"), Enumerable.Range(0, 8 * 6 * 4).Select(i => (float)i).ToArray(), new long[] { 8, 6, 4 });
        var data = FolderDataset.Load(Path.Combine(dir, "v"), Modality.Volume, size: 5);
        Assert.Equal(new long[] { 1, 5, 5, 5 }, data.SampleShape);
        Assert.Equal(125, data.Load(0).Length);

        Directory.CreateDirectory(Path.Combine(dir, "n", "a"));
        File.WriteAllText(Path.Combine(dir, "n", "a", "scan.nii"), "");
        Assert.Contains("NIfTI", Assert.Throws<InvalidInputException>(() => FolderDataset.Load(Path.Combine(dir, "n"), Modality.Volume)).Message);
    }

    [Fact]
    public void Identity_split_is_disjoint_complete_and_seeded()
    {
        var data = SyntheticIdentities.Signals(20, 3, seed: 1);
        var (train, val) = data.SplitByIdentity(0.25, seed: 9);
        Assert.Equal(5, val.Identities.Count);
        Assert.Equal(15, train.Identities.Count);
        Assert.Empty(train.Identities.Intersect(val.Identities));
        Assert.Equal(data.Samples.Count, train.Samples.Count + val.Samples.Count);
        Assert.Equal(val.Identities, data.SplitByIdentity(0.25, seed: 9).Validation.Identities);
        Assert.NotEqual(val.Identities, data.SplitByIdentity(0.25, seed: 10).Validation.Identities);
    }

    [Fact]
    public void Pk_sampler_gives_P_identities_with_K_samples_each_reproducibly()
    {
        // Identity 0 has a single sample (never drawn); identity 1 has 2 (< K, so repeats).
        var samples = new List<(int, float[])> { (0, new float[2]), (1, new float[2]), (1, new float[2]) };
        for (int id = 2; id < 10; id++) for (int s = 0; s < 5; s++) samples.Add((id, new float[2]));
        var data = IdentityDataset.InMemory(samples, 10, new long[] { 1, 2 }, Modality.Signal);
        var sampler = new PkBatchSampler(data, identities: 4, samplesPerIdentity: 3, seed: 1, batchesPerEpoch: 20);
        var batches = sampler.Batches(0).ToList();
        Assert.Equal(20, batches.Count);
        foreach (var batch in batches)
        {
            var ids = batch.Select(i => data.Samples[i].Identity).ToArray();
            Assert.Equal(12, ids.Length);
            Assert.Equal(4, ids.Distinct().Count());
            Assert.All(ids.Chunk(3), chunk => Assert.Single(chunk.Distinct()));
            Assert.DoesNotContain(0, ids);
            foreach (var chunk in batch.Chunk(3).Where(c => data.Samples[c[0]].Identity != 1))
                Assert.Equal(3, chunk.Distinct().Count()); // without replacement when there are enough
        }
        Assert.Equal(batches, sampler.Batches(0).ToList());
        Assert.NotEqual(batches, sampler.Batches(1).ToList());
    }

    [Fact]
    public void Shifts_and_flips_move_content_as_specified()
    {
        var x = new float[] { 1, 2, 3, 4, 5, 6 }; // [1, 2, 3]
        Shifts.Shift(x, new long[] { 1, 2, 3 }, new[] { 0, 1 }, circular: true);
        Assert.Equal(new float[] { 3, 1, 2, 6, 4, 5 }, x);
        var y = new float[] { 1, 2, 3, 4, 5, 6 };
        Shifts.Shift(y, new long[] { 1, 2, 3 }, new[] { 1, 0 }, circular: false);
        Assert.Equal(new float[] { 1, 2, 3, 1, 2, 3 }, y); // edge row repeated
        var z = new float[] { 1, 2, 3, 4, 5, 6 };
        Shifts.FlipAxes(z, new long[] { 1, 2, 3 }, new[] { 1 });
        Assert.Equal(new float[] { 3, 2, 1, 6, 5, 4 }, z);

        var img = Enumerable.Range(0, 3 * 8 * 8).Select(i => (float)Math.Sin(i)).ToArray();
        var a = (float[])img.Clone(); var b = (float[])img.Clone();
        new ImageAugmentation().Apply(a, new long[] { 3, 8, 8 }, new Random(2));
        new ImageAugmentation().Apply(b, new long[] { 3, 8, 8 }, new Random(2));
        Assert.Equal(a, b);
        Assert.NotEqual(img, a);
        Assert.All(a, v => Assert.InRange(v, -1f, 1f));
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);
}
