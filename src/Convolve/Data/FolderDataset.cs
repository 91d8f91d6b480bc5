using Convolve.Imaging;
using static TorchSharp.torch;

namespace Convolve.Data;

/// <summary>
/// Datasets laid out as root/&lt;identity&gt;/&lt;file&gt;: images (.jpg .jpeg .png .bmp .webp .gif), signals
/// (.wav .csv .txt .npy) or volumes (.npy). NIfTI (.nii) volumes are not read: no maintained .NET NIfTI reader is
/// in the package registry; convert them to .npy (nibabel: np.save(f, img.get_fdata())).
/// Files are read lazily, when a batch needs them, and brought to one shape and normalisation:
/// images: centre square crop, area resize to size², RGB scaled to [−1, 1];
/// signals: centre crop or zero padding to the length, then zero mean and unit variance;
/// volumes: trilinear resize to size³, then zero mean and unit variance.
/// </summary>
public static class FolderDataset
{
    /// <summary>Default side or length per modality: 64 px images, 128-sample signals, 16³ volumes.</summary>
    public static int DefaultSize(Modality modality) => modality switch { Modality.Image => 64, Modality.Signal => 128, _ => 16 };

    /// <summary>How samples are normalised, recorded in checkpoints.</summary>
    public static string Normalisation(Modality modality) => modality switch
    {
        Modality.Image => "rgb/255*2-1, centre square crop, area resize",
        Modality.Signal => "centre crop/zero pad, per-sample zero mean unit variance",
        _ => "trilinear resize, per-sample zero mean unit variance",
    };

    /// <summary>Shape of one sample for <paramref name="modality"/> at <paramref name="size"/>.</summary>
    public static long[] ShapeOf(Modality modality, int size) => modality switch
    {
        Modality.Image => new long[] { 3, size, size },
        Modality.Signal => new long[] { 1, size },
        _ => new long[] { 1, size, size, size },
    };

    /// <summary>Scans <paramref name="root"/>: one identity per sub-folder (sorted by name), its files of the modality's formats as samples.</summary>
    public static IdentityDataset Load(string root, Modality modality, int? size = null)
    {
        if (!Directory.Exists(root)) throw new InvalidInputException(root, "is not a folder (expected root/<identity>/<files>)");
        int s = size ?? DefaultSize(modality);
        if (s < 4) throw new ArgumentOutOfRangeException(nameof(size), s, "must be at least 4");
        var extensions = modality switch
        {
            Modality.Image => new[] { ".jpg", ".jpeg", ".png", ".bmp", ".webp", ".gif" },
            Modality.Signal => new[] { ".wav", ".csv", ".txt", ".npy" },
            _ => new[] { ".npy" },
        };
        var names = new List<string>();
        var samples = new List<LabeledSample>();
        foreach (var dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            var files = Directory.GetFiles(dir).Where(f => extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal).ToList();
            if (modality == Modality.Volume && files.Count == 0 && Directory.GetFiles(dir, "*.nii*").Length > 0)
                throw new InvalidInputException(dir, "holds NIfTI (.nii) volumes, which Convolve does not read; convert them to .npy");
            if (files.Count == 0) continue;
            int id = names.Count;
            names.Add(Path.GetFileName(dir));
            foreach (var f in files) samples.Add(new LabeledSample(id, f, Reader(modality, f, s)));
        }
        if (names.Count == 0) throw new InvalidInputException(root, $"holds no identity folder with {string.Join("/", extensions)} files");
        return new IdentityDataset(names, samples, ShapeOf(modality, s), modality);
    }

    private static Func<float[]> Reader(Modality modality, string path, int size) => modality switch
    {
        Modality.Image => () => ReadImage(path, size),
        Modality.Signal => () => ReadSignal(path, size),
        _ => () => ReadVolume(path, size),
    };

    /// <summary>An image file as [3, size, size] in [−1, 1].</summary>
    public static float[] ReadImage(string path, int size)
    {
        var image = ImageDecoder.Load(path);
        using var scope = NewDisposeScope();
        var t = image.ToTensor(unitRange: true);
        long h = t.shape[2], w = t.shape[3], side = Math.Min(h, w);
        t = t.narrow(2, (h - side) / 2, side).narrow(3, (w - side) / 2, side);
        t = nn.functional.interpolate(t, new long[] { size, size }, mode: InterpolationMode.Area);
        return t.mul(Nn.Scalars.Of(2)).sub(Nn.Scalars.Of(1)).contiguous().data<float>().ToArray();
    }

    /// <summary>A signal file as [1, length], centred and standardised.</summary>
    public static float[] ReadSignal(string path, int length)
    {
        var x = SignalFiles.Read(path);
        var result = new float[length];
        if (x.Length >= length) Array.Copy(x, (x.Length - length) / 2, result, 0, length);
        else Array.Copy(x, 0, result, (length - x.Length) / 2, x.Length);
        Standardise(result);
        return result;
    }

    /// <summary>A volume .npy ([D,H,W] or [1,D,H,W]) as [1, size, size, size], standardised.</summary>
    public static float[] ReadVolume(string path, int size)
    {
        var (data, shape) = NpyFile.Read(path);
        if (shape.Length == 4 && shape[0] == 1) shape = shape[1..];
        if (shape.Length != 3) throw new InvalidInputException(path, $"is a {shape.Length}-D array; a volume must be [D,H,W]");
        using var scope = NewDisposeScope();
        var t = tensor(data, new long[] { 1, 1, shape[0], shape[1], shape[2] });
        t = nn.functional.interpolate(t, new long[] { size, size, size }, mode: InterpolationMode.Trilinear, align_corners: false);
        var result = t.contiguous().data<float>().ToArray();
        Standardise(result);
        return result;
    }

    /// <summary>In place: zero mean, unit variance (left centred only when constant).</summary>
    public static void Standardise(float[] x)
    {
        double mean = 0, sq = 0;
        foreach (float v in x) mean += v;
        mean /= x.Length;
        foreach (float v in x) sq += (v - mean) * (v - mean);
        double std = Math.Sqrt(sq / x.Length);
        double scale = std > 1e-8 ? 1 / std : 1;
        for (int i = 0; i < x.Length; i++) x[i] = (float)((x[i] - mean) * scale);
    }
}
