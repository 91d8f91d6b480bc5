using Convolve.Weights;

namespace Convolve.Faces;

/// <summary>Which detector finds faces.</summary>
public enum FaceDetectorKind
{
    /// <summary>SSD MobileNetV1 at 512×512: slower, finds smaller and harder faces (face-api's default).</summary>
    Ssd,
    /// <summary>Tiny YOLOv2-style detector: fast, for large frontal faces.</summary>
    Tiny,
}

/// <summary>How the face is cut out of the image before encoding.</summary>
public enum FaceAlignment
{
    /// <summary>
    /// face-api's crop (dlib-style, axis-aligned square around eyes and mouth, no rotation): reproduces face-api's
    /// descriptors exactly.
    /// </summary>
    FaceApiCrop,
    /// <summary>
    /// A similarity transform (rotation, scale, shift) from five landmarks (eye centres, nose tip, mouth corners) to a
    /// canonical template, sampled with grid_sample: removes head roll before encoding.
    /// </summary>
    Landmarks,
}

/// <summary>Settings of a <see cref="FaceAnalyzer"/>. The defaults are what the LFW measurements in docs/accuracy.md chose.</summary>
public sealed record FaceAnalyzerOptions
{
    /// <summary>The detector. Default <see cref="FaceDetectorKind.Ssd"/>.</summary>
    public FaceDetectorKind Detector { get; init; } = FaceDetectorKind.Ssd;

    /// <summary>Minimum detection score (SSD default 0.5, tiny default 0.5).</summary>
    public double MinConfidence { get; init; } = 0.5;

    /// <summary>Input size of the tiny detector (multiple of 32).</summary>
    public int TinyInputSize { get; init; } = 416;

    /// <summary>Use the tiny 68-point landmark net instead of the full one.</summary>
    public bool TinyLandmarks { get; init; }

    /// <summary>How faces are cut out before encoding. Default chosen by measured LFW accuracy (docs/accuracy.md).</summary>
    public FaceAlignment Alignment { get; init; } = FaceAnalyzer.DefaultAlignment;

    /// <summary>Average each encoding with the encoding of the mirrored face (test-time flip augmentation).</summary>
    public bool Flip { get; init; }

    /// <summary>
    /// A checkpoint folder of <c>convolve train</c> (e.g. <c>OUT/best</c>) whose network computes the encodings instead
    /// of the pretrained face network: a fine-tuned face network (<c>--finetune face</c>) or an image network trained
    /// from scratch. Null (default): the pretrained network. The model id, and so the galleries it may use, change with it.
    /// </summary>
    public string? Model { get; init; }

    /// <summary>Where to find the model files (default: <see cref="ModelStore.Default"/>).</summary>
    public ModelStore? Models { get; init; }
}
