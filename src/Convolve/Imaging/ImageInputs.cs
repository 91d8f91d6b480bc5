using System.Text;
using System.Text.RegularExpressions;

namespace Convolve.Imaging;

/// <summary>
/// Turns what a user typed where images are expected — files, folders, globs — into a list of files.
/// A named file is kept as given, even when it does not exist or has no image extension (decoding it then reports
/// the problem for that one file and a batch goes on). A folder gives the image files in it; a glob (<c>*</c>,
/// <c>?</c>, <c>**</c> for any depth) gives the image files it matches. Order is stable: inputs in the order given,
/// each folder or glob sorted by path; a file reached twice is listed once.
/// </summary>
public static class ImageInputs
{
    /// <summary>The extensions that count as images when listing folders and globs.</summary>
    public static IReadOnlySet<string> ImageExtensions { get; } =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".jfif", ".png", ".webp", ".bmp", ".gif" };

    /// <summary>True when <paramref name="path"/> has one of <see cref="ImageExtensions"/>.</summary>
    public static bool HasImageExtension(string path) => ImageExtensions.Contains(Path.GetExtension(path));

    /// <summary>
    /// Expands <paramref name="inputs"/> to files. Folders are listed one level deep unless <paramref name="recursive"/>.
    /// Throws <see cref="InvalidInputException"/> for a folder or glob that yields no image file, naming it.
    /// </summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> inputs, bool recursive = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var files = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string file)
        {
            if (seen.Add(Path.GetFullPath(file))) files.Add(file);
        }

        foreach (var input in inputs)
        {
            if (string.IsNullOrWhiteSpace(input)) throw new InvalidInputException(null, "an empty path was given where an image was expected");
            if (File.Exists(input)) Add(input);
            else if (Directory.Exists(input)) AddAll(input, ListFolder(input, recursive), "the folder contains no image files (.jpg, .png, .webp, .bmp, .gif)");
            else if (IsGlob(input)) AddAll(input, ListGlob(input), "the pattern matches no image files");
            else Add(input);
        }
        return files;

        void AddAll(string input, IEnumerable<string> found, string problemWhenEmpty)
        {
            int matched = 0;
            foreach (var f in found)
            {
                matched++;
                Add(f);
            }
            if (matched == 0) throw new InvalidInputException(input, problemWhenEmpty);
        }
    }

    /// <summary>True when <paramref name="input"/> contains a wildcard (<c>*</c>, <c>?</c> or <c>[</c>).</summary>
    public static bool IsGlob(string input) => input.IndexOfAny(['*', '?', '[']) >= 0;

    private static IEnumerable<string> ListFolder(string folder, bool recursive) =>
        Directory.EnumerateFiles(folder, "*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
            .Where(HasImageExtension)
            .Order(StringComparer.Ordinal);

    private static IEnumerable<string> ListGlob(string pattern)
    {
        // The folder to list is the part of the pattern before the first segment with a wildcard.
        var segments = pattern.Replace('\\', '/').Split('/');
        int firstWild = Array.FindIndex(segments, IsGlob);
        string root = string.Join('/', segments[..firstWild]);
        if (firstWild > 0 && root.Length == 0) root = "/";
        string listFrom = root.Length == 0 ? "." : root;
        if (!Directory.Exists(listFrom)) return [];

        var rest = segments[firstWild..];
        bool deep = rest.Length > 1 || rest.Contains("**");
        var regex = GlobRegex(rest);
        return Directory.EnumerateFiles(listFrom, "*", deep ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
            .Where(f => regex.IsMatch(Path.GetRelativePath(listFrom, f).Replace('\\', '/')))
            .Where(HasImageExtension)
            .Select(f => root.Length == 0 ? Path.GetRelativePath(".", f) : f)
            .Order(StringComparer.Ordinal);
    }

    /// <summary>A regex for glob segments: <c>**</c> is any number of folders, <c>*</c> any run within a name, <c>?</c> one character, <c>[...]</c> a class.</summary>
    private static Regex GlobRegex(string[] segments)
    {
        var sb = new StringBuilder("^");
        for (int s = 0; s < segments.Length; s++)
        {
            string seg = segments[s];
            if (seg == "**")
            {
                sb.Append(s == segments.Length - 1 ? ".*" : "(?:[^/]+/)*");
                continue;
            }
            for (int i = 0; i < seg.Length; i++)
            {
                char c = seg[i];
                if (c == '*') sb.Append("[^/]*");
                else if (c == '?') sb.Append("[^/]");
                else if (c == '[' && seg.IndexOf(']', i + 1) is int close and > 0)
                {
                    string body = seg[(i + 1)..close];
                    if (body.StartsWith('!')) body = "^" + body[1..];
                    sb.Append('[').Append(body.Replace("\\", "\\\\")).Append(']');
                    i = close;
                }
                else sb.Append(Regex.Escape(c.ToString()));
            }
            if (s < segments.Length - 1) sb.Append('/');
        }
        sb.Append('$');
        return new Regex(sb.ToString(), OperatingSystem.IsWindows() ? RegexOptions.IgnoreCase : RegexOptions.None);
    }
}
