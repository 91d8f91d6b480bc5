using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Convolve.Data;

/// <summary>Reads 1D signals: WAV (PCM 8/16/24/32-bit, float 32/64; channels averaged) and plain numeric CSV/text.</summary>
public static class SignalFiles
{
    /// <summary>Reads a signal from .wav, .csv/.txt or .npy (a .npy of any shape is flattened).</summary>
    public static float[] Read(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".wav" => ReadWav(path).Samples,
        ".csv" or ".txt" => ReadCsv(path),
        ".npy" => NpyFile.Read(path).Data,
        var ext => throw new InvalidInputException(path, $"'{ext}' is not a signal format (use .wav, .csv or .npy)"),
    };

    /// <summary>Reads a WAV file as mono samples in [-1, 1] and its sample rate.</summary>
    public static (float[] Samples, int SampleRate) ReadWav(string path)
    {
        byte[] b;
        try { b = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidInputException(path, "cannot be read: " + e.Message, e); }
        if (b.Length < 12 || Encoding.ASCII.GetString(b, 0, 4) != "RIFF" || Encoding.ASCII.GetString(b, 8, 4) != "WAVE")
            throw new InvalidInputException(path, "is not a RIFF/WAVE file");
        int format = 0, channels = 0, rate = 0, bits = 0;
        int pos = 12;
        while (pos + 8 <= b.Length)
        {
            string id = Encoding.ASCII.GetString(b, pos, 4);
            int size = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(pos + 4)), (uint)(b.Length - pos - 8));
            var body = b.AsSpan(pos + 8, size);
            if (id == "fmt " && size >= 16)
            {
                format = BinaryPrimitives.ReadUInt16LittleEndian(body);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
                rate = BinaryPrimitives.ReadInt32LittleEndian(body[4..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(body[14..]);
                if (format == 0xFFFE && size >= 26) format = BinaryPrimitives.ReadUInt16LittleEndian(body[24..]); // WAVE_FORMAT_EXTENSIBLE sub-format
            }
            else if (id == "data")
            {
                if (channels == 0) throw new InvalidInputException(path, "has its data chunk before the fmt chunk");
                return (Decode(path, body, format, channels, bits), rate);
            }
            pos += 8 + size + (size & 1);
        }
        throw new InvalidInputException(path, "has no data chunk");
    }

    private static float[] Decode(string path, ReadOnlySpan<byte> data, int format, int channels, int bits)
    {
        int bytesPer = bits / 8;
        if (bytesPer == 0 || !(format == 1 && bytesPer is 1 or 2 or 3 or 4 || format == 3 && bytesPer is 4 or 8))
            throw new InvalidInputException(path, $"has an unsupported WAV encoding (format {format}, {bits} bits)");
        int frames = data.Length / (bytesPer * channels);
        var mono = new float[frames];
        for (int f = 0; f < frames; f++)
        {
            double sum = 0;
            for (int c = 0; c < channels; c++)
            {
                var s = data.Slice((f * channels + c) * bytesPer, bytesPer);
                sum += (format, bytesPer) switch
                {
                    (1, 1) => (s[0] - 128) / 128.0,
                    (1, 2) => BinaryPrimitives.ReadInt16LittleEndian(s) / 32768.0,
                    (1, 3) => ((s[0] | s[1] << 8 | s[2] << 16) << 8 >> 8) / 8388608.0,
                    (1, 4) => BinaryPrimitives.ReadInt32LittleEndian(s) / 2147483648.0,
                    (3, 4) => BinaryPrimitives.ReadSingleLittleEndian(s),
                    _ => BinaryPrimitives.ReadDoubleLittleEndian(s),
                };
            }
            mono[f] = (float)(sum / channels);
        }
        return mono;
    }

    /// <summary>Reads every number of a text file separated by commas, semicolons or white space; a non-numeric first line is taken as a header.</summary>
    public static float[] ReadCsv(string path)
    {
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidInputException(path, "cannot be read: " + e.Message, e); }
        var values = new List<float>();
        for (int l = 0; l < lines.Length; l++)
        {
            var fields = lines[l].Split(new[] { ',', ';', ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var field in fields)
            {
                if (float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out float v)) values.Add(v);
                else if (l == 0 && values.Count == 0) break; // header line
                else throw new InvalidInputException(path, $"line {l + 1}: '{field}' is not a number");
            }
        }
        if (values.Count == 0) throw new InvalidInputException(path, "holds no numbers");
        return values.ToArray();
    }

    /// <summary>Writes mono 16-bit PCM (tests and examples).</summary>
    public static void WriteWav16(string path, float[] samples, int sampleRate)
    {
        using var w = new BinaryWriter(File.Create(path));
        int dataBytes = samples.Length * 2;
        w.Write("RIFF"u8); w.Write(36 + dataBytes); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)1); w.Write(sampleRate); w.Write(sampleRate * 2); w.Write((short)2); w.Write((short)16);
        w.Write("data"u8); w.Write(dataBytes);
        foreach (float s in samples) w.Write((short)Math.Clamp(Math.Round(s * 32767.0), -32768, 32767));
    }
}
