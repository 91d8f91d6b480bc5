namespace Convolve.Faces.Evaluation;

/// <summary>A pair of a pair file with the distance between its two encodings.</summary>
/// <param name="Pair">The labelled pair.</param>
/// <param name="Distance">Euclidean distance between the encodings of its two images.</param>
public readonly record struct PairDistance(LfwPair Pair, double Distance);

/// <summary>The outcome of <see cref="FacePairEvaluation.Run"/>: the report and what it was computed from.</summary>
/// <param name="Report">The metrics (see <see cref="EvaluationReport"/>).</param>
/// <param name="Test">The evaluated pairs with their distances, in file order (pairs with an unreadable image left out).</param>
/// <param name="Training">The training pairs with their distances, when a training file was given.</param>
/// <param name="Images">Every distinct image with how its face was found.</param>
public sealed record PairRunResult(EvaluationReport Report, IReadOnlyList<PairDistance> Test, IReadOnlyList<PairDistance>? Training,
    IReadOnlyDictionary<string, EvaluationImage> Images);

/// <summary>
/// Evaluates a <see cref="FaceAnalyzer"/> on LFW-format pair files: runs the pipeline once per distinct image
/// (<see cref="PairImageEncoder"/>), scores each pair by the distance of its two encodings, and applies the protocol
/// of <see cref="PairEvaluation"/>. Images without a detected face are encoded from the centre box and counted;
/// unreadable images are listed and their pairs left out (counted, never silently).
/// <code>
/// using var faces = FaceAnalyzer.Load();
/// var run = FacePairEvaluation.Run(faces, PairFileParser.Parse("pairsDevTest.txt"), "lfw/",
///     training: PairFileParser.Parse("pairsDevTrain.txt"));
/// Console.WriteLine(run.Report.Accuracy);
/// </code>
/// </summary>
public static class FacePairEvaluation
{
    /// <summary>What is done for an image in which the detector finds no face (reported with the count).</summary>
    public const string UndetectedHandling =
        "encoded from landmarks found in a centred box covering half the image (aligned face datasets such as LFW centre the face); their pairs are kept";

    /// <summary>
    /// The report with every evaluated pair (<see cref="EvaluationReport.PerPair"/>, folds as the protocol used them)
    /// and every readable image's detection status (<see cref="EvaluationReport.Images"/>).
    /// </summary>
    public static EvaluationReport WithDetails(PairRunResult run, string imagesDir)
    {
        // Report.Scores holds the test pairs in order, with the folds the protocol assigned.
        var rows = run.Test.Select((d, i) => new PairScoreRow(d.Pair.Line, d.Pair.PathA(imagesDir), d.Pair.PathB(imagesDir), d.Pair.Same,
            i < run.Report.Scores.Count ? run.Report.Scores[i].Fold : d.Pair.Fold, d.Distance)).ToList();
        var images = run.Images.Values.Where(i => i.Error is null).OrderBy(i => i.Path, StringComparer.Ordinal)
            .Select(i => new ImageStatus(i.Path, i.Detected)).ToList();
        return run.Report with { PerPair = rows, Images = images };
    }

    /// <summary>Encodes every image of <paramref name="pairs"/> (and <paramref name="training"/>) once, its face found by <paramref name="location"/>, and evaluates.</summary>
    public static PairRunResult Run(FaceAnalyzer analyzer, PairFile pairs, string imagesDir, PairFile? training = null,
        IReadOnlyList<double>? farTargets = null, Action<EvaluationImage>? progress = null, CancellationToken cancellation = default, int threads = 1,
        FaceLocation location = FaceLocation.Detect)
    {
        var (images, failed) = EncodeImages(analyzer, [pairs, .. training is null ? Array.Empty<PairFile>() : [training]], imagesDir, progress, cancellation, threads, location);
        var (test, skippedTest) = Distances(pairs, imagesDir, images);
        var (train, skippedTrain) = training is null ? (null, 0) : Distances(training, imagesDir, images);
        RequireBothKinds(pairs, test, failed);
        if (training is not null) RequireBothKinds(training, train!, failed);

        var usable = pairs with { Pairs = test.Select(d => d.Pair).ToList() };
        var usableTraining = training is null ? null : training with { Pairs = train!.Select(d => d.Pair).ToList() };
        var distanceOf = new Dictionary<LfwPair, double>((IEqualityComparer<LfwPair>)ReferenceEqualityComparer.Instance); // equal lines stay separate pairs
        foreach (PairDistance d in test.Concat(train ?? [])) distanceOf[d.Pair] = d.Distance;
        EvaluationReport report = PairEvaluation.Run(usable, p => distanceOf[p], usableTraining, farTargets);

        var notes = report.Notes.ToList();
        int skipped = skippedTest + skippedTrain;
        if (skipped > 0) notes.Add($"{skipped} pair(s) left out because an image could not be read (see failed)");
        report = report with
        {
            Undetected = images.Values.Count(i => i.Error is null && !i.Detected),
            UndetectedHandling = UndetectedHandling,
            Failed = failed,
            SkippedPairs = skipped,
            Model = analyzer.ModelId,
            Notes = notes,
        };
        return new PairRunResult(report, test, train, images);
    }

    /// <summary>
    /// Encodes the images of every pair file once (a file's images are <c>imagesDir/name/name_NNNN.jpg</c>) and returns
    /// them by path, with the images that could not be read.
    /// </summary>
    public static (IReadOnlyDictionary<string, EvaluationImage> Images, IReadOnlyList<ImageFailure> Failed) EncodeImages(
        FaceAnalyzer analyzer, IReadOnlyList<PairFile> files, string imagesDir, Action<EvaluationImage>? progress = null,
        CancellationToken cancellation = default, int threads = 1, FaceLocation location = FaceLocation.Detect)
    {
        if (!Directory.Exists(imagesDir)) throw new InvalidInputException(imagesDir, "image folder not found");
        var paths = files.SelectMany(f => f.DistinctImages()).Select(i => LfwLayout.ImagePath(imagesDir, i.Name, i.Index)).Distinct().ToList();
        var encoder = new PairImageEncoder(analyzer, [new EncodingVariant(analyzer.Options.Alignment, analyzer.Options.Flip)], location);
        var images = encoder.EncodeAll(paths, progress, cancellation, threads);
        var failed = paths.Where(p => images[p].Error is not null).Select(p => new ImageFailure(p, images[p].Error!)).ToList();
        return (images, failed);
    }

    /// <summary>The distance of every pair whose two images were encoded, in file order, and how many pairs were left out.</summary>
    public static (IReadOnlyList<PairDistance> Pairs, int Skipped) Distances(PairFile file, string imagesDir, IReadOnlyDictionary<string, EvaluationImage> images)
    {
        var result = new List<PairDistance>(file.Pairs.Count);
        foreach (LfwPair pair in file.Pairs)
        {
            if (images.GetValueOrDefault(pair.PathA(imagesDir))?.Encodings is not { } a || images.GetValueOrDefault(pair.PathB(imagesDir))?.Encodings is not { } b)
                continue;
            result.Add(new PairDistance(pair, FaceAnalyzer.Distance(a[0], b[0])));
        }
        return (result, file.Pairs.Count - result.Count);
    }

    private static void RequireBothKinds(PairFile file, IReadOnlyList<PairDistance> usable, IReadOnlyList<ImageFailure> failed)
    {
        int same = usable.Count(d => d.Pair.Same), different = usable.Count - same;
        if (same > 0 && different > 0) return;
        string why = failed.Count == 0 ? "" : $"; {failed.Count} image(s) could not be read, e.g. {failed[0].Path}: {failed[0].Error}";
        throw new InvalidInputException(file.Path, $"metrics need same-person and different-person pairs, but {same} same and {different} different pair(s) are usable{why}");
    }
}
