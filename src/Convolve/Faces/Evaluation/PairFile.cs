namespace Convolve.Faces.Evaluation;

/// <summary>
/// One labelled pair of an LFW-format pair file: two images named by person and image number, and whether they show
/// the same person.
/// </summary>
/// <param name="NameA">First person (folder name, e.g. "Aaron_Peirsol").</param>
/// <param name="IndexA">First image number (1-based, as in the file).</param>
/// <param name="NameB">Second person (equal to <paramref name="NameA"/> for same-person pairs).</param>
/// <param name="IndexB">Second image number.</param>
/// <param name="Same">True for a same-person pair.</param>
/// <param name="Fold">0-based fold (always 0 in single-split files).</param>
/// <param name="Line">1-based line in the pair file, for error messages.</param>
public sealed record LfwPair(string NameA, int IndexA, string NameB, int IndexB, bool Same, int Fold, int Line)
{
    /// <summary>The first image under an LFW image folder: <c>dir/NameA/NameA_NNNN.jpg</c>.</summary>
    public string PathA(string imagesDir) => LfwLayout.ImagePath(imagesDir, NameA, IndexA);

    /// <summary>The second image under an LFW image folder.</summary>
    public string PathB(string imagesDir) => LfwLayout.ImagePath(imagesDir, NameB, IndexB);
}

/// <summary>Which LFW protocol a pair file follows.</summary>
public enum PairFileKind
{
    /// <summary>View 1 (pairsDevTrain.txt / pairsDevTest.txt): a count line, then that many same then that many different pairs.</summary>
    SingleSplit,

    /// <summary>View 2 (pairs.txt): a "folds count" line, then per fold count same then count different pairs.</summary>
    TenFold,
}

/// <summary>A parsed pair file.</summary>
/// <param name="Path">The file it was read from.</param>
/// <param name="Kind">Single split (View 1) or folds (View 2).</param>
/// <param name="Folds">Number of folds (1 for a single split).</param>
/// <param name="Pairs">The pairs in file order.</param>
public sealed record PairFile(string Path, PairFileKind Kind, int Folds, IReadOnlyList<LfwPair> Pairs)
{
    /// <summary>Number of same-person pairs.</summary>
    public int SameCount => Pairs.Count(p => p.Same);

    /// <summary>Number of different-person pairs.</summary>
    public int DifferentCount => Pairs.Count(p => !p.Same);

    /// <summary>The distinct images the pairs refer to (each needs encoding once), as (name, number).</summary>
    public IReadOnlyList<(string Name, int Index)> DistinctImages() =>
        Pairs.SelectMany(p => new[] { (p.NameA, p.IndexA), (p.NameB, p.IndexB) }).Distinct().ToList();
}

/// <summary>The LFW image folder layout.</summary>
public static class LfwLayout
{
    /// <summary><c>dir/name/name_NNNN.jpg</c> with the image number zero-padded to four digits.</summary>
    public static string ImagePath(string imagesDir, string name, int index) =>
        System.IO.Path.Combine(imagesDir, name, $"{name}_{index:D4}.jpg");
}
