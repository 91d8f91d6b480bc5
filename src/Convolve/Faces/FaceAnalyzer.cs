using Convolve.Faces.Alignment;
using Convolve.Faces.Detection;
using Convolve.Faces.Encoding;
using Convolve.Faces.Gallery;
using Convolve.Faces.Landmarks;
using Convolve.Imaging;
using Convolve.Models;
using Convolve.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Convolve.Faces;

/// <summary>
/// The face pipeline in one object: detect → 68 landmarks → crop or align → 128-D encoding, and on top of it
/// verification (same person?) and identification against a <see cref="FaceGallery"/> (which of K people, or
/// unknown?). Load once, use from any number of threads, dispose to free the networks' native memory.
/// <code>
/// using var faces = FaceAnalyzer.Load();
/// var result = faces.Verify(ImageDecoder.Load("a.jpg"), ImageDecoder.Load("b.jpg"));
/// Console.WriteLine(result.Same);
/// </code>
/// </summary>
public sealed class FaceAnalyzer : IDisposable
{
    /// <summary>
    /// The alignment used when none is chosen. Landmark alignment undoes in-plane tilt, which face-api's axis-aligned
    /// crop does not: with LFW DevTest faces turned by 30°, accuracy stays 98.4 % aligned but falls to 79.4 % with the
    /// crop (bench <c>roll</c>, docs/faces.md); on upright faces the two are equal within a pair or two (docs/accuracy.md).
    /// Choose <see cref="FaceAlignment.FaceApiCrop"/> to reproduce face-api's descriptors exactly.
    /// </summary>
    public const FaceAlignment DefaultAlignment = FaceAlignment.Landmarks;

    private readonly IFaceDetector _detector;
    private readonly FaceLandmarker _landmarker;
    private readonly IChipEncoder _encoder;
    private readonly TrainedFaceModel? _trained;

    private FaceAnalyzer(FaceAnalyzerOptions options, IFaceDetector detector, FaceLandmarker landmarker, IChipEncoder encoder, TrainedFaceModel? trained)
    {
        Options = options;
        _detector = detector;
        _landmarker = landmarker;
        _encoder = encoder;
        _trained = trained;
        ModelId = ComputeModelId(options, trained);
    }

    /// <summary>
    /// Loads the networks from the installed model files (offline), and the trained encoder of
    /// <see cref="FaceAnalyzerOptions.Model"/> when given. Throws <see cref="ModelNotFoundException"/> naming a missing
    /// model file, <see cref="InvalidInputException"/> for a folder that is not a usable checkpoint.
    /// </summary>
    public static FaceAnalyzer Load(FaceAnalyzerOptions? options = null)
    {
        options ??= new FaceAnalyzerOptions();
        ModelStore store = options.Models ?? ModelStore.Default;
        IFaceDetector? detector = null;
        FaceLandmarker? landmarker = null;
        IChipEncoder? encoder = null;
        try
        {
            TrainedFaceModel? trained = options.Model is null ? null : TrainedFaceModel.Load(options.Model, store);
            if (trained?.ChipAlignment is { } cut && cut != options.Alignment.ToString())
            {
                trained.Encoder.Dispose();
                throw new InvalidInputException(Path.Combine(trained.Directory, Convolve.Training.Checkpoint.ConfigFile),
                    $"was fine-tuned on chips cut with the {cut} alignment; use the same alignment (--align {(cut == nameof(FaceAlignment.Landmarks) ? "landmarks" : "faceapi")})");
            }
            encoder = trained?.Encoder ?? FaceEncoder.Load(store);
            detector = options.Detector == FaceDetectorKind.Tiny
                ? TinyFaceDetector.Load(store, new TinyFaceDetectorOptions(options.TinyInputSize, options.MinConfidence))
                : SsdFaceDetector.Load(store, new SsdFaceDetectorOptions(options.MinConfidence));
            landmarker = FaceLandmarker.Load(options.TinyLandmarks, store);
            return new FaceAnalyzer(options, detector, landmarker, encoder, trained);
        }
        catch
        {
            encoder?.Dispose();
            detector?.Dispose();
            landmarker?.Dispose();
            throw;
        }
    }

    /// <summary>The settings this analyzer was loaded with.</summary>
    public FaceAnalyzerOptions Options { get; }

    /// <summary>
    /// Identifies the encoding function: the recognition weights (by SHA-256 prefix; for a trained
    /// <see cref="FaceAnalyzerOptions.Model"/> also its checkpoint's weights), the alignment and flip setting.
    /// Galleries record it and refuse encodings of another function.
    /// </summary>
    public string ModelId { get; }

    /// <summary>
    /// The distance threshold used when neither the caller nor the gallery gives one. Pretrained network: chosen on LFW
    /// View 1 DevTrain for the best accuracy there (see docs/accuracy.md for its false-accept rate). Trained
    /// <see cref="FaceAnalyzerOptions.Model"/>: the best-accuracy threshold of its validation pairs; a checkpoint without
    /// one (no validation, or the binary head) has no default: reading this throws <see cref="InvalidInputException"/>
    /// saying to give a threshold or calibrate the gallery (see <see cref="HasDefaultThreshold"/>).
    /// </summary>
    public double DefaultThreshold => _trained is null ? DefaultThresholds.For(Options.Alignment, Options.Flip)
        : _trained.Threshold ?? throw new InvalidInputException(Path.Combine(_trained.Directory, Convolve.Training.Checkpoint.ConfigFile),
            "records no validation threshold for its encodings (trained without validation, or with the binary head), and the pretrained " +
            "network's threshold does not apply to another network: give a threshold (--threshold) or calibrate the gallery with this model (convolve faces calibrate --model)");

    /// <summary>
    /// The threshold that falsely accepts a fraction <paramref name="far"/> (1e-6 to 1e-2) of different-person pairs,
    /// from a table measured on LFW for the pretrained encodings (docs/evaluation.md). For identification against K
    /// enrolled people, a stranger is wrongly named with probability of about K × far. Your own labelled pairs are the
    /// better guide (<c>convolve faces calibrate</c>); a trained <see cref="FaceAnalyzerOptions.Model"/> has no table, and
    /// asking throws <see cref="InvalidInputException"/> saying to calibrate.
    /// </summary>
    public double ThresholdForFalseAcceptRate(double far) => _trained is null
        ? DefaultThresholds.ForFalseAcceptRate(Options.Alignment, Options.Flip, far)
        : throw new InvalidInputException(_trained.Directory,
            "has no table of thresholds by false-accept rate (it is measured for the pretrained network only): calibrate with your own pairs (convolve faces calibrate --model) or give --threshold");

    /// <summary>
    /// About how often a face of someone not enrolled is named as one of <paramref name="people"/> enrolled people at
    /// <paramref name="threshold"/>: 1 − (1 − FAR)^people, with the FAR of the threshold from the LFW table (clamped to
    /// 1e-6..1e-2, so a threshold looser than the 1e-2 entry gives a lower bound). Null for a trained model (no table).
    /// </summary>
    public double? StrangerMisnamedRate(int people, double threshold)
    {
        if (_trained is not null || people <= 0) return null;
        double far = DefaultThresholds.FalseAcceptRateAt(Options.Alignment, Options.Flip, threshold);
        return 1 - Math.Pow(1 - far, people);
    }

    /// <summary>
    /// The distance below which <see cref="Clustering.FaceClustering"/> joins two faces by default: 0.735 ×
    /// <see cref="DefaultThreshold"/> (0.45 for the default encodings). Stricter than verification because a
    /// collection of n faces offers each face n − 1 chances of a false match: at the verification threshold (0.7 %
    /// false accepts per pair on LFW) 1549 LFW faces collapsed into a few giant groups (pairwise precision 5.6 %); 0.45 had the best pairwise F1 on
    /// LFW's DevTrain people for every encoding variant (bench <c>cluster</c>, docs/faces.md).
    /// </summary>
    public double DefaultClusteringThreshold => ClusteringRatio * DefaultThreshold;

    /// <summary>The clustering threshold as a fraction of the verification threshold (0.45 / 0.6119).</summary>
    internal const double ClusteringRatio = 0.735;

    /// <summary>False when <see cref="DefaultThreshold"/> would throw (a trained model without a recorded threshold).</summary>
    public bool HasDefaultThreshold => _trained is null || _trained.Threshold is not null;

    /// <summary>The threshold for comparisons against <paramref name="gallery"/>: its calibrated one, else <see cref="DefaultThreshold"/>.</summary>
    public double ThresholdFor(FaceGallery gallery) => gallery.CalibratedThreshold?.Threshold ?? DefaultThreshold;

    /// <summary>Euclidean distance between two encodings.</summary>
    public static double Distance(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => FaceEncoder.Distance(a, b);

    /// <summary>Every face in <paramref name="image"/> with its landmarks, highest detection score first.</summary>
    public IReadOnlyList<DetectedFace> Detect(RgbImage image)
    {
        IReadOnlyList<FaceDetection> detections = _detector.Detect(image);
        IReadOnlyList<FaceLandmarks?> landmarks = _landmarker.Detect(image, detections.Select(d => d.Box).ToList());
        var faces = new List<DetectedFace>(detections.Count);
        for (int i = 0; i < detections.Count; i++)
            if (landmarks[i] is { } points) faces.Add(new DetectedFace(detections[i].Box, detections[i].Score, points));
        return faces;
    }

    /// <summary>Every face in <paramref name="image"/> with its encoding, highest detection score first.</summary>
    public IReadOnlyList<EncodedFace> Encode(RgbImage image)
    {
        IReadOnlyList<DetectedFace> faces = Detect(image);
        float[][] encodings = Encode(image, faces);
        return faces.Select((f, i) => new EncodedFace(f, encodings[i])).ToList();
    }

    /// <summary>The encodings of the given faces of <paramref name="image"/> (found by <see cref="Detect"/>), in order.</summary>
    public float[][] Encode(RgbImage image, IReadOnlyList<DetectedFace> faces)
    {
        if (faces.Count == 0) return [];
        using var scope = NewDisposeScope();
        var chips = faces.Select(f => Chip(image, f.Landmarks, Options.Alignment)).ToArray();
        return _encoder.EncodeChips(cat(chips, 0), Options.Flip);
    }

    /// <summary>
    /// The chip the encoder sees for <paramref name="face"/>: float [1,3,150,150] with values 0..255, cut with the
    /// configured <see cref="FaceAnalyzerOptions.Alignment"/> (before normalisation and before any flip). Used to
    /// prepare fine-tuning data that matches what the network is given at encoding time.
    /// </summary>
    public Tensor Chip(RgbImage image, DetectedFace face) => Chip(image, face.Landmarks, Options.Alignment);

    /// <summary>
    /// The face in a known <paramref name="box"/> (for example the centre of an aligned face image where the detector
    /// found nothing), with landmarks; null when the box has no pixel inside the image. Its score is 0.
    /// </summary>
    public DetectedFace? FaceIn(RgbImage image, FaceBox box) =>
        _landmarker.Detect(image, box) is { } landmarks ? new DetectedFace(box, 0f, landmarks) : null;

    /// <summary>
    /// Encodings of one face under several <paramref name="variants"/> (alignment, flip), computed with one chip per
    /// alignment and one network pass over the chips and their mirrors. Used to measure which variant is best.
    /// </summary>
    public float[][] EncodeVariants(RgbImage image, DetectedFace face, IReadOnlyList<EncodingVariant> variants)
    {
        using var scope = NewDisposeScope();
        var alignments = variants.Select(v => v.Alignment).Distinct().ToList();
        var chips = alignments.Select(a => Chip(image, face.Landmarks, a)).ToList();
        var batch = cat(chips.Concat(chips.Select(c => c.flip(3))).ToArray(), 0);
        float[][] e = _encoder.EncodeChips(batch);
        int n = alignments.Count;
        return variants.Select(v =>
        {
            int k = alignments.IndexOf(v.Alignment);
            return v.Flip ? e[k].Zip(e[k + n], (x, y) => (x + y) / 2).ToArray() : e[k];
        }).ToArray();
    }

    /// <summary>
    /// The encoding of an image that holds one face. With several faces, <paramref name="faceIndex"/> picks one
    /// (0 = highest score); without it the image is refused (<see cref="AmbiguousFaceException"/>). No face:
    /// <see cref="NoFaceFoundException"/>. Use this to enroll: one photo of a person is enough.
    /// </summary>
    public EncodedFace EncodeSingle(RgbImage image, int? faceIndex = null)
    {
        IReadOnlyList<DetectedFace> faces = Detect(image);
        if (faces.Count == 0) throw new NoFaceFoundException(image.Source);
        if (faceIndex is null && faces.Count > 1) throw new AmbiguousFaceException(image.Source, faces.Count);
        DetectedFace face = Pick(faces, faceIndex ?? 0, image.Source);
        return new EncodedFace(face, Encode(image, [face])[0]);
    }

    /// <summary>
    /// Are the people in <paramref name="first"/> and <paramref name="second"/> the same? With several faces in an
    /// image the largest is used (or the one <paramref name="firstFace"/>/<paramref name="secondFace"/> picks) and the
    /// choice is reported. <paramref name="threshold"/> defaults to <see cref="DefaultThreshold"/>.
    /// </summary>
    public VerificationResult Verify(RgbImage first, RgbImage second, double? threshold = null, int? firstFace = null, int? secondFace = null)
    {
        var (a, choiceA) = EncodeChosen(first, firstFace);
        var (b, choiceB) = EncodeChosen(second, secondFace);
        return new VerificationResult(Distance(a, b), threshold ?? DefaultThreshold, choiceA, choiceB);
    }

    /// <summary>
    /// Is the person in <paramref name="image"/> the enrolled <paramref name="identity"/>? The threshold defaults to the
    /// gallery's calibrated one, else <see cref="DefaultThreshold"/>.
    /// </summary>
    public VerificationResult Verify(RgbImage image, FaceGallery gallery, string identity, double? threshold = null, int? face = null)
    {
        RequireSameModel(gallery);
        var (encoding, choice) = EncodeChosen(image, face);
        double distance = gallery.DistanceTo(identity, encoding)
            ?? throw new InvalidInputException(gallery.Path, $"identity '{identity}' is not enrolled");
        return new VerificationResult(distance, threshold ?? ThresholdFor(gallery), choice, null);
    }

    /// <summary>
    /// Who is each face in <paramref name="image"/>? Unknown faces get a null name. With <paramref name="top"/> &gt; 0
    /// each face also lists its <paramref name="top"/> nearest enrolled people (<see cref="IdentifiedFace.Candidates"/>),
    /// for reviewing near misses and look-alikes.
    /// </summary>
    public IReadOnlyList<IdentifiedFace> Identify(RgbImage image, FaceGallery gallery, double? threshold = null, int top = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        RequireSameModel(gallery);
        double tau = threshold ?? ThresholdFor(gallery);
        IReadOnlyList<EncodedFace> faces = Encode(image);
        // All faces of the photo in one pass over the gallery.
        IReadOnlyList<IdentityMatch> matches = gallery.IdentifyMany(faces.Select(f => f.Encoding).ToList(), tau);
        return faces.Select((f, i) => new IdentifiedFace(f.Face, matches[i].Identity, matches[i].NearestIdentity, matches[i].Distance, tau)
        {
            Candidates = top > 0 ? gallery.Rank(f.Encoding, top) : [],
        }).ToList();
    }

    /// <summary>
    /// Enrolls the one face of <paramref name="image"/> (or face <paramref name="faceIndex"/>) as <paramref name="identity"/>.
    /// A face turned away from the camera is enrolled with a warning (<see cref="EnrollmentCheck"/>).
    /// </summary>
    public EnrolledFace Enroll(FaceGallery gallery, string identity, RgbImage image, int? faceIndex = null)
    {
        RequireSameModel(gallery);
        EncodedFace face = EncodeSingle(image, faceIndex);
        var pose = HeadPose.FromLandmarks(face.Face.Landmarks);
        return new EnrolledFace(gallery.Enroll(identity, face.Encoding, image.Source), face.Face, pose, EnrollmentCheck.Warnings(pose));
    }

    /// <summary>Opens (or creates, owner-only) the gallery at <paramref name="path"/> bound to this analyzer's <see cref="ModelId"/>.</summary>
    public FaceGallery OpenGallery(string path, bool create = true) =>
        create ? FaceGallery.OpenOrCreate(path, ModelId) : FaceGallery.Open(path, ModelId);

    /// <inheritdoc />
    public void Dispose()
    {
        _detector.Dispose();
        _landmarker.Dispose();
        _encoder.Dispose();
    }

    private static Tensor Chip(RgbImage image, FaceLandmarks landmarks, FaceAlignment alignment)
    {
        if (alignment == FaceAlignment.Landmarks) return LandmarkAlignment.Chip(image, landmarks);
        PixelRect crop = DlibCrop.FromLandmarks(landmarks).ToFaceBox().ClipAndFloor(image.Width, image.Height);
        if (crop.IsEmpty) return zeros(1, 3, FaceRecognitionNet.InputSize, FaceRecognitionNet.InputSize);
        using var raw = FaceCrops.CropToTensor(image, crop);
        return FaceCrops.SquareAndResize(raw, FaceRecognitionNet.InputSize);
    }

    private (float[] Encoding, FaceChoice Choice) EncodeChosen(RgbImage image, int? faceIndex)
    {
        IReadOnlyList<DetectedFace> faces = Detect(image);
        if (faces.Count == 0) throw new NoFaceFoundException(image.Source);
        int index = faceIndex ?? Enumerable.Range(0, faces.Count).MaxBy(i => faces[i].Box.Area);
        DetectedFace face = Pick(faces, index, image.Source);
        return (Encode(image, [face])[0], new FaceChoice(index, faces.Count, face.Box));
    }

    private static DetectedFace Pick(IReadOnlyList<DetectedFace> faces, int index, string? source) =>
        index >= 0 && index < faces.Count
            ? faces[index]
            : throw new InvalidInputException(source, $"face {index} requested but {faces.Count} face(s) found (faces are numbered from 0)");

    private void RequireSameModel(FaceGallery gallery)
    {
        if (gallery.ModelId != ModelId)
            throw new InvalidInputException(gallery.Path,
                $"the gallery holds encodings of model '{gallery.ModelId}', but this analyzer computes '{ModelId}'; encodings of different models cannot be compared" +
                FaceGallery.SettingsHint(gallery.ModelId, ModelId));
    }

    private static string ComputeModelId(FaceAnalyzerOptions options, TrainedFaceModel? trained)
    {
        string network = trained?.IdPrefix ?? $"face-api-frn-{FaceRecognitionNet.WeightsId(options.Models ?? ModelStore.Default)}";
        return $"{network}/{new EncodingVariant(options.Alignment, options.Flip)}";
    }
}
