using Convolve.Imaging;

namespace Convolve.Faces.Evaluation;

/// <summary>One identity of a folder-per-identity tree: its name (the folder's) and its image files, sorted by name.</summary>
public sealed record IdentityImages(string Identity, IReadOnlyList<string> Images);

/// <summary>
/// Reads a folder-per-identity tree (<c>dir/Alice/1.jpg</c>, <c>dir/Bob/a.png</c>, ...) as LFW and most face datasets
/// are laid out. Only image files (<see cref="ImageInputs.ImageExtensions"/>) directly inside each identity folder
/// count; identity folders without images are left out.
/// </summary>
public static class IdentityFolders
{
    /// <summary>The identities under <paramref name="dir"/>, sorted by name (ordinal). Throws <see cref="InvalidInputException"/> when there is none.</summary>
    public static IReadOnlyList<IdentityImages> Read(string dir)
    {
        if (!Directory.Exists(dir)) throw new InvalidInputException(dir, "folder not found (expected one subfolder of images per identity)");
        var identities = Subfolders(dir);
        if (identities.Count == 0) throw new InvalidInputException(dir, "no identity folders with images (expected one subfolder of images per identity, e.g. dir/Alice/1.jpg)");
        return identities;
    }

    /// <summary>The identity subfolders of an existing <paramref name="dir"/> that hold images, sorted by name (ordinal); may be empty.</summary>
    internal static List<IdentityImages> Subfolders(string dir) =>
        Directory.EnumerateDirectories(dir)
            .Select(d => new IdentityImages(Path.GetFileName(d),
                Directory.EnumerateFiles(d).Where(ImageInputs.HasImageExtension).Order(StringComparer.Ordinal).ToList()))
            .Where(i => i.Images.Count > 0)
            .OrderBy(i => i.Identity, StringComparer.Ordinal)
            .ToList();
}
