namespace Convolve.Tests.Imaging;

/// <summary>
/// Writes a four-component (CMYK) baseline JPEG by hand (ITU T.81), the way Photoshop stores print images: an
/// Adobe APP14 marker with transform 0 and inverted ink values (stored = 255 − ink). Every 8×8 block is one flat
/// colour, so each block needs only its DC coefficient: a flat block of sample v has DC = 8·(v − 128) under the
/// forward DCT, exactly invertible with a quantiser of 1, and all 63 AC coefficients are zero (an end-of-block).
/// </summary>
internal static class HandMadeCmykJpeg
{
    /// <summary>
    /// A JPEG of <paramref name="blocksWide"/>×<paramref name="blocksHigh"/> flat 8×8 blocks; <paramref name="inkCmyk"/>
    /// holds 4 ink amounts (0 none … 255 full) per block, row-major.
    /// </summary>
    public static byte[] Write(int blocksWide, int blocksHigh, byte[] inkCmyk)
    {
        var jpeg = new List<byte> { 0xFF, 0xD8 }; // SOI
        // APP14 "Adobe": version 100, flags 0, 0, transform 0 (CMYK stored as is, no YCC conversion).
        Segment(jpeg, 0xEE, [.. "Adobe"u8, 0, 100, 0, 0, 0, 0, 0]);
        // DQT: table 0, 8-bit precision, every quantiser 1.
        Segment(jpeg, 0xDB, [0x00, .. Enumerable.Repeat((byte)1, 64)]);
        // SOF0: 8-bit samples, height, width, 4 components each sampled 1×1 using quantisation table 0.
        int w = blocksWide * 8, h = blocksHigh * 8;
        Segment(jpeg, 0xC0, [8, (byte)(h >> 8), (byte)h, (byte)(w >> 8), (byte)w, 4,
            1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0]);
        // DHT: DC table 0 codes the 12 magnitude categories with 4-bit codes (category k is code k);
        // AC table 0 has a single 1-bit code '0' for end-of-block (0x00).
        var dcCounts = new byte[16];
        dcCounts[3] = 12;
        var acCounts = new byte[16];
        acCounts[0] = 1;
        Segment(jpeg, 0xC4, [0x00, .. dcCounts, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x10, .. acCounts, 0x00]);
        // SOS: all 4 components interleaved, DC/AC table 0, full spectral range.
        Segment(jpeg, 0xDA, [4, 1, 0x00, 2, 0x00, 3, 0x00, 4, 0x00, 0, 63, 0]);

        var bits = new BitWriter(jpeg);
        var previousDc = new int[4];
        for (int b = 0; b < blocksWide * blocksHigh; b++)
        {
            for (int c = 0; c < 4; c++)
            {
                int stored = 255 - inkCmyk[b * 4 + c];      // Adobe CMYK is stored inverted
                int dc = 8 * (stored - 128);                // DC of a flat, level-shifted block
                int diff = dc - previousDc[c];
                previousDc[c] = dc;
                int category = diff == 0 ? 0 : 32 - int.LeadingZeroCount(Math.Abs(diff));
                bits.Write(category, 4);
                if (category > 0) bits.Write(diff > 0 ? diff : diff + (1 << category) - 1, category);
                bits.Write(0, 1); // end of block
            }
        }
        bits.Flush();
        jpeg.AddRange([0xFF, 0xD9]); // EOI
        return [.. jpeg];
    }

    private static void Segment(List<byte> jpeg, byte marker, byte[] payload)
    {
        int length = payload.Length + 2;
        jpeg.AddRange([0xFF, marker, (byte)(length >> 8), (byte)length]);
        jpeg.AddRange(payload);
    }

    /// <summary>Entropy-coded data: most significant bit first, a 0x00 stuffed after every 0xFF, padded with 1-bits.</summary>
    private sealed class BitWriter(List<byte> output)
    {
        private int _acc, _count;

        public void Write(int value, int width)
        {
            for (int i = width - 1; i >= 0; i--)
            {
                _acc = (_acc << 1) | ((value >> i) & 1);
                if (++_count == 8) Emit();
            }
        }

        public void Flush()
        {
            while (_count != 0) Write(1, 1);
        }

        private void Emit()
        {
            output.Add((byte)_acc);
            if (_acc == 0xFF) output.Add(0x00);
            _acc = 0;
            _count = 0;
        }
    }
}
