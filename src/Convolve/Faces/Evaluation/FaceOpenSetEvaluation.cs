namespace Convolve.Faces.Evaluation;

/// <summary>The outcome of <see cref="FaceOpenSetEvaluation.Run"/>: the report and the matrix it was computed from.</summary>
/// <param name="Report">The metrics.</param>
/// <param name="Identities">The enrolled identities (matrix columns).</param>
/// <param name="Probes">The probe images used (matrix rows) with their true identity.</param>
/// <param name="Distances">Per probe, its distance to each enrolled identity (to the nearest of that identity's images).</param>
/// <param name="Truth">Per probe, the column of its identity, or -1 when it is not enrolled.</param>
public sealed record OpenSetRunResult(OpenSetReport Report, IReadOnlyList<string> Identities, IReadOnlyList<(string Path, string Identity)> Probes,
    IReadOnlyList<double[]> Distances, IReadOnlyList<int> Truth);

/// <summary>
/// Open-set identification of a <see cref="FaceAnalyzer"/> on two folder-per-identity trees: every image of the gallery
/// tree is enrolled under its folder's name, every image of the probe tree is searched. A probe's distance to an
/// identity is the distance to that identity's nearest enrolled image (as <see cref="Gallery.GalleryAggregate.NearestSample"/>,
/// the gallery's default). Probes whose folder is not an enrolled identity are the unknown probes. Faces are found
/// as in <see cref="FacePairEvaluation"/> (centre fallback counted, unreadable images listed and left out).
/// </summary>
public static class FaceOpenSetEvaluation
{
    /// <summary>Encodes both trees once and evaluates at <paramref name="threshold"/> and the FAR targets.</summary>
    public static OpenSetRunResult Run(FaceAnalyzer analyzer, string galleryDir, string probeDir, double threshold,
        IReadOnlyList<double>? farTargets = null, Action<EvaluationImage>? progress = null, CancellationToken cancellation = default, int threads = 1,
        FaceLocation location = FaceLocation.Detect)
    {
        IReadOnlyList<IdentityImages> gallery = IdentityFolders.Read(galleryDir);
        IReadOnlyList<IdentityImages> probes = IdentityFolders.Read(probeDir);
        var paths = gallery.Concat(probes).SelectMany(i => i.Images).ToList();
        var encoder = new PairImageEncoder(analyzer, [new EncodingVariant(analyzer.Options.Alignment, analyzer.Options.Flip)], location);
        var images = encoder.EncodeAll(paths, progress, cancellation, threads);

        var notes = new List<string>();
        var enrolled = new List<(string Identity, float[][] Encodings)>();
        foreach (IdentityImages identity in gallery)
        {
            float[][] encodings = identity.Images.Select(p => images[p].Encodings?[0]).OfType<float[]>().ToArray();
            if (encodings.Length > 0) enrolled.Add((identity.Identity, encodings));
            else notes.Add($"gallery identity '{identity.Identity}' has no readable image and is not enrolled (its probes count as unknown)");
        }
        if (enrolled.Count == 0) throw new InvalidInputException(galleryDir, "no gallery image could be read");

        var columns = enrolled.Select((e, i) => (e.Identity, i)).ToDictionary(x => x.Identity, x => x.i, StringComparer.Ordinal);
        var rows = new List<(string Path, string Identity)>();
        var distances = new List<double[]>();
        var truth = new List<int>();
        foreach (IdentityImages identity in probes)
            foreach (string path in identity.Images)
            {
                if (images[path].Encodings?[0] is not { } probe) continue;
                rows.Add((path, identity.Identity));
                distances.Add(enrolled.Select(e => e.Encodings.Min(g => FaceAnalyzer.Distance(probe, g))).ToArray());
                truth.Add(columns.GetValueOrDefault(identity.Identity, -1));
            }
        if (rows.Count == 0) throw new InvalidInputException(probeDir, "no probe image could be read");

        var failed = paths.Distinct().Where(p => images[p].Error is not null).Select(p => new ImageFailure(p, images[p].Error!)).ToList();
        if (failed.Count > 0) notes.Add($"{failed.Count} image(s) could not be read and were left out (see failed)");
        OpenSetReport report = OpenSetEvaluation.Evaluate(distances, truth, threshold, farTargets);
        report = report with
        {
            GalleryIdentities = enrolled.Count,
            GalleryImages = enrolled.Sum(e => e.Encodings.Length),
            Undetected = images.Values.Count(i => i.Error is null && !i.Detected),
            UndetectedHandling = FacePairEvaluation.UndetectedHandling,
            Failed = failed,
            Model = analyzer.ModelId,
            Notes = [.. notes, .. report.Notes],
        };
        return new OpenSetRunResult(report, enrolled.Select(e => e.Identity).ToList(), rows, distances, truth);
    }
}
