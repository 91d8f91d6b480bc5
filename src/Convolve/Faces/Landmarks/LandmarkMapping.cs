namespace Convolve.Faces.Landmarks;

/// <summary>
/// Maps the landmark network's output to image pixels (spec §5.4, §6.3). The output is interleaved fractions of the
/// centred-padded 112 square; it is first made relative to the crop (in float32, as face-api's tensor code does),
/// then scaled by the crop size and shifted by the detection box origin. QUIRK kept for parity: the crop starts at the
/// floored, clipped origin but the shift uses the box's unfloored origin.
/// </summary>
public static class LandmarkMapping
{
    /// <summary>Fractions of the crop (x, y interleaved, 0..1 inside it) from raw output for a <paramref name="cropWidth"/>×<paramref name="cropHeight"/> crop.</summary>
    public static float[] ToCropRelative(ReadOnlySpan<float> raw, int cropWidth, int cropHeight, int inputSize = 112)
    {
        double scale = (double)inputSize / Math.Max(cropWidth, cropHeight);
        double sw = cropWidth * scale, sh = cropHeight * scale;
        float padX = cropWidth < cropHeight ? (float)(Math.Abs(sw - sh) / 2) : 0f;
        float padY = cropHeight < cropWidth ? (float)(Math.Abs(sw - sh) / 2) : 0f;
        float fsw = (float)sw, fsh = (float)sh, fsize = inputSize;
        var rel = new float[raw.Length];
        for (int i = 0; i < raw.Length; i += 2)
        {
            rel[i] = (raw[i] * fsize - padX) / fsw;
            rel[i + 1] = (raw[i + 1] * fsize - padY) / fsh;
        }
        return rel;
    }

    /// <summary>Landmarks in image pixels from raw network output for the face in <paramref name="box"/> whose crop was <paramref name="crop"/>.</summary>
    public static FaceLandmarks ToImage(ReadOnlySpan<float> raw, FaceBox box, PixelRect crop, int inputSize = 112)
    {
        var rel = ToCropRelative(raw, crop.Width, crop.Height, inputSize);
        var xy = new double[rel.Length];
        for (int i = 0; i < rel.Length; i += 2)
        {
            xy[i] = rel[i] * (double)crop.Width + box.X;
            xy[i + 1] = rel[i + 1] * (double)crop.Height + box.Y;
        }
        return new FaceLandmarks(box, crop, xy);
    }
}
