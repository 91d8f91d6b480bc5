using System.Globalization;

namespace Convolve.Faces.Evaluation;

/// <summary>
/// Reads LFW-format pair files. View 1: a line with N, then N same-person lines <c>name n1 n2</c> and N
/// different-person lines <c>name1 n1 name2 n2</c>. View 2: a line <c>folds N</c>, then per fold N same then N
/// different lines. Fields are separated by tabs or spaces. Anything else is an <see cref="InvalidInputException"/>
/// naming the file and the line.
/// </summary>
public static class PairFileParser
{
    /// <summary>Parses the pair file at <paramref name="path"/>.</summary>
    public static PairFile Parse(string path)
    {
        if (!File.Exists(path)) throw new InvalidInputException(path, "pair file not found");
        using var reader = new StreamReader(path);
        return Parse(path, reader);
    }

    /// <summary>Parses pair-file text; <paramref name="path"/> is used in error messages.</summary>
    public static PairFile Parse(string path, TextReader reader)
    {
        var lines = new List<string>();
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine()) lines.Add(line);
        // Trailing blank lines are harmless; blank lines inside the list are not.
        int count = lines.Count;
        while (count > 0 && string.IsNullOrWhiteSpace(lines[count - 1])) count--;
        if (count == 0) throw new InvalidInputException(path, "the pair file is empty");

        string[] header = Fields(lines[0]);
        int folds, perFold;
        PairFileKind kind;
        if (header.Length == 1)
        {
            (kind, folds, perFold) = (PairFileKind.SingleSplit, 1, PositiveInt(path, 1, header[0], "the pair count"));
        }
        else if (header.Length == 2)
        {
            (kind, folds, perFold) = (PairFileKind.TenFold, PositiveInt(path, 1, header[0], "the fold count"), PositiveInt(path, 1, header[1], "the pair count"));
        }
        else throw new InvalidInputException(path, $"line 1: expected a pair count (View 1) or 'folds count' (View 2), got '{Shorten(lines[0])}'");

        for (int i = 1; i < count; i++)
            if (string.IsNullOrWhiteSpace(lines[i])) throw new InvalidInputException(path, $"line {i + 1}: blank line inside the pair list");
        long expected = 1 + 2L * folds * perFold;
        if (count != expected)
            throw new InvalidInputException(path, $"line 1 announces {folds} fold(s) of {perFold} same and {perFold} different pairs ({expected - 1} pair lines), but the file has {count - 1}");

        var pairs = new List<LfwPair>((int)(expected - 1));
        int lineIndex = 1;
        for (int fold = 0; fold < folds; fold++)
            foreach (bool same in new[] { true, false })
                for (int i = 0; i < perFold; i++, lineIndex++)
                    pairs.Add(ParsePair(path, lineIndex + 1, lines[lineIndex], same, fold));
        return new PairFile(path, kind, folds, pairs);
    }

    private static LfwPair ParsePair(string path, int line, string text, bool same, int fold)
    {
        string[] f = Fields(text);
        if (same)
        {
            if (f.Length != 3)
                throw new InvalidInputException(path, $"line {line}: expected a same-person pair 'name n1 n2', got '{Shorten(text)}'");
            return new LfwPair(f[0], PositiveInt(path, line, f[1], "an image number"), f[0], PositiveInt(path, line, f[2], "an image number"), true, fold, line);
        }
        if (f.Length != 4)
            throw new InvalidInputException(path, $"line {line}: expected a different-person pair 'name1 n1 name2 n2', got '{Shorten(text)}'");
        return new LfwPair(f[0], PositiveInt(path, line, f[1], "an image number"), f[2], PositiveInt(path, line, f[3], "an image number"), false, fold, line);
    }

    private static string[] Fields(string line) => line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);

    private static int PositiveInt(string path, int line, string text, string what) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new InvalidInputException(path, $"line {line}: expected {what} (a positive integer), got '{Shorten(text)}'");

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
