using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Convolve.Tests.Imaging;

/// <summary>
/// Writes odd image files byte by byte from their specifications (PNG, BMP, GIF89a, baseline JPEG, EXIF), so the
/// decoder is tested against inputs that no part of Skia produced.
/// </summary>
internal static class HandMadeImages
{
    // ---------- PNG (ISO/IEC 15948): signature, IHDR, [PLTE], IDAT (zlib of filtered rows), IEND ----------

    /// <summary>
    /// A PNG with the given colour type (0 gray, 2 RGB, 3 palette, 6 RGBA) and bit depth (8 or 16). <paramref name="samples"/>
    /// holds one value per sample, row-major (palette: indices); 16-bit values are written big-endian.
    /// </summary>
    public static byte[] Png(int width, int height, int colorType, int bitDepth, ushort[] samples, byte[]? palette = null)
    {
        int channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 6 => 4, _ => throw new ArgumentException("colour type") };
        int bytesPerSample = bitDepth / 8;
        var raw = new MemoryStream();
        for (int y = 0; y < height; y++)
        {
            raw.WriteByte(0); // filter type None
            for (int i = 0; i < width * channels; i++)
            {
                ushort v = samples[y * width * channels + i];
                if (bytesPerSample == 2) raw.WriteByte((byte)(v >> 8));
                raw.WriteByte((byte)v);
            }
        }
        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) raw.WriteTo(z);

        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = (byte)colorType;
        WriteChunk(png, "IHDR", ihdr);
        if (palette is not null) WriteChunk(png, "PLTE", palette);
        WriteChunk(png, "IDAT", compressed.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>A PNG header that declares <paramref name="width"/>×<paramref name="height"/> pixels but carries almost no data (a decompression bomb's shape).</summary>
    public static byte[] PngHeaderOnly(int width, int height)
    {
        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        ihdr[9] = 2;
        WriteChunk(png, "IHDR", ihdr);
        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) z.Write(new byte[1000]);
        WriteChunk(png, "IDAT", compressed.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream s, string type, byte[] data)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(len, Crc32(typeAndData));
        s.Write(len);
    }

    /// <summary>CRC-32 (ISO 3309 / PNG, reflected polynomial 0xEDB88320).</summary>
    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    // ---------- BMP: 24-bit, bottom-up rows, BGR, rows padded to 4 bytes ----------

    /// <summary>A 24-bit Windows bitmap of packed RGB <paramref name="rgb"/> (top row first, as in RgbImage).</summary>
    public static byte[] Bmp24(int width, int height, byte[] rgb)
    {
        int stride = (width * 3 + 3) & ~3;
        int imageSize = stride * height;
        var bmp = new byte[54 + imageSize];
        bmp[0] = (byte)'B';
        bmp[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(2), bmp.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(14), 40); // BITMAPINFOHEADER
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), height); // positive: bottom-up
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(34), imageSize);
        for (int y = 0; y < height; y++)
        {
            int row = 54 + (height - 1 - y) * stride;
            for (int x = 0; x < width; x++)
            {
                int s = (y * width + x) * 3;
                bmp[row + x * 3] = rgb[s + 2];
                bmp[row + x * 3 + 1] = rgb[s + 1];
                bmp[row + x * 3 + 2] = rgb[s];
            }
        }
        return bmp;
    }

    // ---------- GIF89a: frames filled with one palette index each ----------

    /// <summary>
    /// An animated GIF of <paramref name="width"/>×<paramref name="height"/> with a 4-colour palette and one frame per
    /// entry of <paramref name="frameColorIndex"/>, each frame filled with that palette index.
    /// </summary>
    public static byte[] Gif(int width, int height, byte[] palette4Rgb, params int[] frameColorIndex)
    {
        var gif = new MemoryStream();
        gif.Write(Encoding.ASCII.GetBytes("GIF89a"));
        WriteLe16(gif, width);
        WriteLe16(gif, height);
        gif.WriteByte(0xF1); // global colour table, 8-bit colour resolution, 2^(1+1) = 4 entries
        gif.WriteByte(0);    // background index
        gif.WriteByte(0);    // aspect ratio
        gif.Write(palette4Rgb);
        foreach (int index in frameColorIndex)
        {
            gif.Write([0x21, 0xF9, 0x04, 0x00, 10, 0, 0, 0x00]); // graphic control: 0.1 s delay
            gif.WriteByte(0x2C);
            WriteLe16(gif, 0);
            WriteLe16(gif, 0);
            WriteLe16(gif, width);
            WriteLe16(gif, height);
            gif.WriteByte(0); // no local colour table, not interlaced
            gif.WriteByte(2); // LZW minimum code size: 2 bits (codes 0..3 are colours, 4 clear, 5 end)
            // Sending a clear code before every pixel keeps the code width at 3 bits: a valid if wasteful LZW stream.
            var bits = new BitPacker();
            for (int i = 0; i < width * height; i++)
            {
                bits.Write(4, 3);
                bits.Write(index, 3);
            }
            bits.Write(5, 3);
            var data = bits.ToArray();
            for (int off = 0; off < data.Length; off += 255)
            {
                int n = Math.Min(255, data.Length - off);
                gif.WriteByte((byte)n);
                gif.Write(data, off, n);
            }
            gif.WriteByte(0);
        }
        gif.WriteByte(0x3B);
        return gif.ToArray();
    }

    private static void WriteLe16(Stream s, int v)
    {
        s.WriteByte((byte)v);
        s.WriteByte((byte)(v >> 8));
    }

    /// <summary>Packs codes least-significant bit first, as GIF's LZW stream does.</summary>
    private sealed class BitPacker
    {
        private readonly List<byte> _bytes = [];
        private int _acc, _count;

        public void Write(int code, int width)
        {
            _acc |= code << _count;
            _count += width;
            while (_count >= 8)
            {
                _bytes.Add((byte)_acc);
                _acc >>= 8;
                _count -= 8;
            }
        }

        public byte[] ToArray() => _count > 0 ? [.. _bytes, (byte)_acc] : [.. _bytes];
    }

    // ---------- EXIF: an APP1 segment with one IFD0 entry, Orientation (0x0112) ----------

    /// <summary><paramref name="jpeg"/> with an EXIF APP1 segment carrying <paramref name="orientation"/> inserted right after SOI.</summary>
    public static byte[] WithExifOrientation(byte[] jpeg, int orientation)
    {
        if (jpeg[0] != 0xFF || jpeg[1] != 0xD8) throw new ArgumentException("not a JPEG");
        var tiff = new List<byte>();
        tiff.AddRange("II*\0"u8.ToArray());          // little-endian TIFF header
        tiff.AddRange(BitConverter.GetBytes(8));      // IFD0 at offset 8
        tiff.AddRange(BitConverter.GetBytes((ushort)1)); // one entry
        tiff.AddRange(BitConverter.GetBytes((ushort)0x0112)); // Orientation
        tiff.AddRange(BitConverter.GetBytes((ushort)3));      // SHORT
        tiff.AddRange(BitConverter.GetBytes(1));              // count 1
        tiff.AddRange(BitConverter.GetBytes((ushort)orientation));
        tiff.AddRange(new byte[2]);                   // value padded to 4 bytes
        tiff.AddRange(BitConverter.GetBytes(0));      // no next IFD
        var payload = "Exif\0\0"u8.ToArray().Concat(tiff).ToArray();
        int length = payload.Length + 2;
        var app1 = new byte[] { 0xFF, 0xE1, (byte)(length >> 8), (byte)length }.Concat(payload);
        return jpeg.Take(2).Concat(app1).Concat(jpeg.Skip(2)).ToArray();
    }
}
