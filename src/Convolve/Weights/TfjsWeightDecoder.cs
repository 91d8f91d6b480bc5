using System.Buffers.Binary;

namespace Convolve.Weights;

/// <summary>
/// Turns one entry's stored bytes into float32 values exactly as TF.js does (spec §1.3): quantized values are
/// <c>q·scale + min</c> evaluated in double and stored as float32; int32 entries round that with JS <c>Math.round</c>.
/// Reads are little-endian and alignment-free (BinaryPrimitives on spans), because raw entries can start at odd offsets.
/// </summary>
internal static class TfjsWeightDecoder
{
    public static float[] Decode(TfjsWeightSpec spec, ReadOnlySpan<byte> bytes)
    {
        long n = spec.ElementCount;
        var values = new float[n];
        bool isInt = spec.DType == "int32";
        switch (spec.StoredDType)
        {
            case "uint8":
                for (int i = 0; i < n; i++) values[i] = Dequantize(bytes[i], spec, isInt);
                break;
            case "uint16":
                for (int i = 0; i < n; i++) values[i] = Dequantize(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]), spec, isInt);
                break;
            case "float16":
                for (int i = 0; i < n; i++) values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..]);
                break;
            case "float32":
                for (int i = 0; i < n; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
                break;
            case "int32":
                for (int i = 0; i < n; i++) values[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[(4 * i)..]);
                break;
            default:
                throw new InvalidOperationException($"unsupported stored dtype '{spec.StoredDType}'");
        }
        return values;
    }

    private static float Dequantize(int q, TfjsWeightSpec spec, bool isInt)
    {
        double v = q * spec.Scale + spec.Min;
        // JS Math.round rounds .5 toward +∞: floor(v + 0.5).
        return isInt ? (float)Math.Floor(v + 0.5) : (float)v;
    }
}
