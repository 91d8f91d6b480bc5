using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Convolve.Data;

/// <summary>NumPy's .npy format (versions 1–3): little- or big-endian floats and integers, C or Fortran order.</summary>
public static partial class NpyFile
{
    /// <summary>Reads an array as float32 values in C order, with its shape.</summary>
    public static (float[] Data, long[] Shape) Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidInputException(path, "cannot be read: " + e.Message, e); }
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new InvalidInputException(path, "is not a .npy file (no \\x93NUMPY magic)");
        int major = bytes[6];
        int headerLength, headerStart;
        if (major == 1) { headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)); headerStart = 10; }
        else if (major is 2 or 3) { headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)); headerStart = 12; }
        else throw new InvalidInputException(path, $"has unsupported .npy version {major}");
        if (headerStart + headerLength > bytes.Length) throw new InvalidInputException(path, "is truncated in its header");
        string header = Encoding.UTF8.GetString(bytes, headerStart, headerLength);

        var descr = DescrPattern().Match(header);
        var fortran = FortranPattern().Match(header);
        var shapeMatch = ShapePattern().Match(header);
        if (!descr.Success || !shapeMatch.Success) throw new InvalidInputException(path, "has a malformed .npy header");
        long[] shape = shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        long count = shape.Aggregate(1L, (a, b) => a * b);
        string d = descr.Groups[1].Value;
        bool bigEndian = d[0] == '>';
        char kind = d[1];
        int size = int.Parse(d[2..], CultureInfo.InvariantCulture);
        int dataStart = headerStart + headerLength;
        if (bytes.Length - dataStart < count * size) throw new InvalidInputException(path, $"is truncated: {count} values of {size} bytes announced");

        var data = new float[count];
        var span = bytes.AsSpan(dataStart);
        for (long i = 0; i < count; i++)
        {
            var v = span.Slice((int)(i * size), size);
            data[i] = (kind, size) switch
            {
                ('f', 4) => bigEndian ? BinaryPrimitives.ReadSingleBigEndian(v) : BinaryPrimitives.ReadSingleLittleEndian(v),
                ('f', 8) => (float)(bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(v) : BinaryPrimitives.ReadDoubleLittleEndian(v)),
                ('i', 1) => (sbyte)v[0],
                ('u', 1) or ('b', 1) => v[0],
                ('i', 2) => bigEndian ? BinaryPrimitives.ReadInt16BigEndian(v) : BinaryPrimitives.ReadInt16LittleEndian(v),
                ('u', 2) => bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(v) : BinaryPrimitives.ReadUInt16LittleEndian(v),
                ('i', 4) => bigEndian ? BinaryPrimitives.ReadInt32BigEndian(v) : BinaryPrimitives.ReadInt32LittleEndian(v),
                ('i', 8) => bigEndian ? BinaryPrimitives.ReadInt64BigEndian(v) : BinaryPrimitives.ReadInt64LittleEndian(v),
                _ => throw new InvalidInputException(path, $"has unsupported dtype '{d}'"),
            };
        }
        if (fortran.Success && fortran.Groups[1].Value == "True" && shape.Length > 1) data = FortranToC(data, shape);
        return (data, shape);
    }

    /// <summary>Writes float32 values in C order (little-endian, version 1.0).</summary>
    public static void Write(string path, float[] data, long[] shape)
    {
        if (shape.Aggregate(1L, (a, b) => a * b) != data.Length) throw new ArgumentException("shape does not match the data length");
        string dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        string header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({dims}), }}";
        int total = 10 + header.Length + 1;
        header += new string(' ', (64 - total % 64) % 64) + "\n";
        using var stream = File.Create(path);
        stream.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 });
        Span<byte> len = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
        stream.Write(len);
        stream.Write(Encoding.ASCII.GetBytes(header));
        var buffer = new byte[data.Length * 4];
        for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(i * 4), data[i]);
        stream.Write(buffer);
    }

    private static float[] FortranToC(float[] f, long[] shape)
    {
        var c = new float[f.Length];
        var idx = new long[shape.Length];
        for (long i = 0; i < f.Length; i++)
        {
            // i is the C-order position; compute its Fortran-order position.
            long rest = i;
            for (int k = shape.Length - 1; k >= 0; k--) { idx[k] = rest % shape[k]; rest /= shape[k]; }
            long fpos = 0, stride = 1;
            for (int k = 0; k < shape.Length; k++) { fpos += idx[k] * stride; stride *= shape[k]; }
            c[i] = f[fpos];
        }
        return c;
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([<>|=][fiub]\d+)'")] private static partial Regex DescrPattern();
    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")] private static partial Regex FortranPattern();
    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")] private static partial Regex ShapePattern();
}
