using System.Diagnostics;
using Convolve.Faces.Gallery;
using Convolve.Faces.Landmarks;
using Convolve.Imaging;
using Convolve.Weights;

namespace Convolve.Faces.Demo;

/// <summary>
/// One-shot recognition shown end to end on face-api's six sample photos (22 faces, as far as we know nobody in two of
/// them), offline: detect and annotate every face; enroll each face of photos 1–3 once under a generated name; then
/// identify every face in the mirror images of photos 1–3 (the same people in new pixels: they should be recognized)
/// and in photos 4–6 (people never enrolled: they should come out unknown). Nothing is tuned to these photos: the
/// threshold is the analyzer's default (<see cref="FaceAnalyzer.DefaultThreshold"/>). The counts are what happened.
/// <code>
/// using var faces = FaceAnalyzer.Load();
/// FaceDemoResult result = FaceDemo.Run(faces, FaceDemo.FindSamples()!, "convolve-demo");
/// Console.WriteLine($"{result.EnrolledPeople.Recognized} of {result.EnrolledPeople.Faces} recognized");
/// </code>
/// </summary>
public static class FaceDemo
{
    /// <summary>The sample photos, in face-api's npm package folder <c>demo/</c>.</summary>
    public static IReadOnlyList<string> SampleFiles { get; } = Enumerable.Range(1, 6).Select(k => $"sample{k}.jpg").ToArray();

    /// <summary>How many of the samples (the first ones) are enrollment photos.</summary>
    public const int EnrollmentPhotos = 3;

    /// <summary>A detected face whose mirror-image box overlaps its original box at least this much (IoU) is the same face.</summary>
    public const double SameFaceIoU = 0.5;

    /// <summary>How to get the sample photos when <see cref="FindSamples"/> finds none.</summary>
    public static string SamplesHint =>
        $"the sample photos ship in the npm package {ModelStore.FaceApiPackage} (folder demo/): run 'npm ci' in the Convolve repository, " +
        $"or 'npm pack {ModelStore.FaceApiPackage}' and extract package/demo, then pass that folder with --samples";

    /// <summary>
    /// The folder holding all six sample photos: the <c>demo</c> folder beside the face-api model folder found by
    /// <paramref name="store"/> (the npm package layout), or null when there is none.
    /// </summary>
    public static string? FindSamples(ModelStore? store = null)
    {
        store ??= ModelStore.Default;
        var candidates = new List<string>();
        if (store.TryFind("face_recognition_model-weights_manifest.json") is { } manifest)
            candidates.Add(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(manifest))!, "..", "demo"));
        candidates.AddRange(store.SearchDirectories.Select(d => Path.Combine(d, "..", "demo")));
        return candidates.Select(Path.GetFullPath).FirstOrDefault(HasAllSamples);
    }

    /// <summary>True when <paramref name="directory"/> holds all of <see cref="SampleFiles"/>.</summary>
    public static bool HasAllSamples(string directory) => SampleFiles.All(f => File.Exists(Path.Combine(directory, f)));

    /// <summary>
    /// Runs the demo with <paramref name="analyzer"/> on the photos in <paramref name="samplesDirectory"/>, writing
    /// annotated PNGs to <paramref name="outputDirectory"/> (created if needed). The gallery is a temporary file,
    /// deleted at the end. <paramref name="progress"/> hears one line per step; Ctrl-C stops between photos.
    /// </summary>
    public static FaceDemoResult Run(FaceAnalyzer analyzer, string samplesDirectory, string outputDirectory,
        IProgress<string>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(analyzer);
        foreach (string file in SampleFiles)
            if (!File.Exists(Path.Combine(samplesDirectory, file)))
                throw new InvalidInputException(Path.Combine(samplesDirectory, file), "sample photo not found; " + SamplesHint);
        Directory.CreateDirectory(outputDirectory);
        var clock = Stopwatch.StartNew();
        string galleryPath = Path.Combine(Path.GetTempPath(), $"convolve-demo-{Guid.NewGuid():N}.db");
        try
        {
            using FaceGallery gallery = analyzer.OpenGallery(galleryPath);
            var run = new DemoRun(analyzer, gallery, samplesDirectory, outputDirectory, progress, cancellation);
            run.EnrollAndIdentify();
            double threshold = analyzer.ThresholdFor(gallery);
            return new FaceDemoResult(analyzer.ModelId, threshold, run.Photos, run.Enrolled, run.Probes,
                Path.GetFullPath(outputDirectory), clock.Elapsed);
        }
        finally
        {
            foreach (string suffix in new[] { "", "-wal", "-shm" })
                try { File.Delete(galleryPath + suffix); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The state of one run: what was enrolled, and the results so far.</summary>
    private sealed class DemoRun(FaceAnalyzer analyzer, FaceGallery gallery, string samples, string output,
        IProgress<string>? progress, CancellationToken cancellation)
    {
        public List<DemoPhoto> Photos { get; } = [];
        public List<DemoEnrollment> Enrolled { get; } = [];
        public List<DemoProbe> Probes { get; } = [];

        public void EnrollAndIdentify()
        {
            var originals = new List<RgbImage>();
            for (int k = 1; k <= EnrollmentPhotos; k++) originals.Add(Enroll(k));
            for (int k = 1; k <= EnrollmentPhotos; k++) IdentifyMirror(k, originals[k - 1]);
            for (int k = EnrollmentPhotos + 1; k <= SampleFiles.Count; k++) IdentifyNeverEnrolled(k);
        }

        private RgbImage Enroll(int k)
        {
            var (name, file, image) = Load(k);
            progress?.Report($"Enrolling the faces of {name}");
            IReadOnlyList<EncodedFace> faces = analyzer.Encode(image);
            var identities = faces.Select((_, i) => $"{name}-face{i}").ToList();
            gallery.Enroll(faces.Select((f, i) => new FaceSample(identities[i], f.Encoding, file)));
            for (int i = 0; i < faces.Count; i++)
            {
                var pose = HeadPose.FromLandmarks(faces[i].Face.Landmarks);
                Enrolled.Add(new DemoEnrollment(identities[i], name, i, faces[i].Face.Box, pose, EnrollmentCheck.Warnings(pose)));
            }
            var marks = faces.Select((f, i) => new FaceMark(f.Face, identities[i] + " (enrolled)", FaceAnnotation.KnownColor));
            string annotated = Save(FaceAnnotation.Draw(image, marks), $"{name}-enrolled.png");
            Photos.Add(new DemoPhoto(name, file, image.Width, image.Height, faces.Count, DemoPhotoRole.Enroll, annotated));
            return image;
        }

        private void IdentifyMirror(int k, RgbImage original)
        {
            cancellation.ThrowIfCancellationRequested();
            string name = $"sample{k}";
            string photo = $"{name} (mirror)";
            progress?.Report($"Identifying the faces of {photo}");
            RgbImage mirror = ImageTransforms.Mirror(original);
            var enrolledHere = Enrolled.Where(e => e.Photo == name).ToList();
            IReadOnlyList<IdentifiedFace> faces = analyzer.Identify(mirror, gallery);
            for (int i = 0; i < faces.Count; i++)
            {
                string? expected = SameFace(MirrorBox(faces[i].Face.Box, mirror.Width), enrolledHere)?.Identity;
                Probes.Add(Probe(photo, i, faces[i], DemoGroup.Enrolled, expected));
            }
            string annotated = Save(FaceAnnotation.DrawIdentities(mirror, faces), $"{name}-mirror-identified.png");
            Photos.Add(new DemoPhoto(photo, Path.Combine(samples, SampleFiles[k - 1]), mirror.Width, mirror.Height, faces.Count,
                DemoPhotoRole.IdentifyEnrolled, annotated));
        }

        private void IdentifyNeverEnrolled(int k)
        {
            var (name, file, image) = Load(k);
            progress?.Report($"Identifying the faces of {name}");
            IReadOnlyList<IdentifiedFace> faces = analyzer.Identify(image, gallery);
            for (int i = 0; i < faces.Count; i++) Probes.Add(Probe(name, i, faces[i], DemoGroup.NeverEnrolled, expected: null));
            string annotated = Save(FaceAnnotation.DrawIdentities(image, faces), $"{name}-identified.png");
            Photos.Add(new DemoPhoto(name, file, image.Width, image.Height, faces.Count, DemoPhotoRole.IdentifyNeverEnrolled, annotated));
        }

        private (string Name, string File, RgbImage Image) Load(int k)
        {
            cancellation.ThrowIfCancellationRequested();
            string file = Path.Combine(samples, SampleFiles[k - 1]);
            return ($"sample{k}", file, ImageDecoder.Load(file));
        }

        private string Save(RgbImage image, string fileName)
        {
            string path = Path.Combine(output, fileName);
            ImageEncoder.Save(image, path, ImageFormat.Png);
            return path;
        }

        private static DemoProbe Probe(string photo, int index, IdentifiedFace face, DemoGroup group, string? expected) =>
            new(photo, index, face.Face.Box, group, expected, face.Name, face.NearestName, face.Distance);

        /// <summary>The box in the original photo of a box found in its mirror image.</summary>
        private static FaceBox MirrorBox(FaceBox box, int width) => box with { X = width - box.X - box.Width };

        /// <summary>The enrolled face whose box overlaps <paramref name="box"/> most, if it overlaps enough to be the same face.</summary>
        private static DemoEnrollment? SameFace(FaceBox box, IReadOnlyList<DemoEnrollment> enrolled) =>
            enrolled.Select(e => (Entry: e, IoU: e.Box.IoU(box))).Where(x => x.IoU >= SameFaceIoU)
                .OrderByDescending(x => x.IoU).Select(x => x.Entry).FirstOrDefault();
    }
}
