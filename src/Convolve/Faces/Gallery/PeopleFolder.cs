using Convolve.Faces.Evaluation;
using Convolve.Imaging;

namespace Convolve.Faces.Gallery;

/// <summary>A photo to enroll and the person it shows.</summary>
/// <param name="Identity">Who the photo shows.</param>
/// <param name="File">The image file.</param>
public sealed record EnrollmentPhoto(string Identity, string File);

/// <summary>
/// Reads a folder of people to enroll. Two layouts, which may be mixed: a subfolder per person
/// (<c>people/Ada/1.jpg</c>, <c>people/Ada/2.jpg</c>: the folder names the person, as LFW and most face datasets are
/// laid out) and one photo per person directly in the folder (<c>people/Bob.jpg</c>: the file name without its extension
/// names the person, as face_recognition's <c>known_people</c> folder does).
/// </summary>
/// <example>
/// <code>
/// using var faces = FaceAnalyzer.Load();
/// using var gallery = faces.OpenGallery("people.db");
/// foreach (var photo in PeopleFolder.Read("people/")) faces.Enroll(gallery, photo.Identity, ImageDecoder.Load(photo.File));
/// </code>
/// </example>
public static class PeopleFolder
{
    /// <summary>
    /// The photos under <paramref name="dir"/> with the person each shows, sorted by person then file (ordinal). Only
    /// image files (<see cref="ImageInputs.ImageExtensions"/>) count; deeper folders are not read. Throws
    /// <see cref="InvalidInputException"/> when the folder is missing or holds no photo in either layout.
    /// </summary>
    public static IReadOnlyList<EnrollmentPhoto> Read(string dir)
    {
        if (!Directory.Exists(dir)) throw new InvalidInputException(dir, "folder not found (expected a subfolder of photos per person, or photos named after the person)");
        var photos = IdentityFolders.Subfolders(dir)
            .SelectMany(person => person.Images.Select(file => new EnrollmentPhoto(person.Identity, file)))
            .Concat(Directory.EnumerateFiles(dir).Where(ImageInputs.HasImageExtension)
                .Select(file => new EnrollmentPhoto(Path.GetFileNameWithoutExtension(file), file)))
            .Where(p => !string.IsNullOrWhiteSpace(p.Identity))
            .OrderBy(p => p.Identity, StringComparer.Ordinal).ThenBy(p => p.File, StringComparer.Ordinal)
            .ToList();
        if (photos.Count == 0)
            throw new InvalidInputException(dir, "no photos to enroll (expected a subfolder of photos per person, e.g. people/Ada/1.jpg, or photos named after the person, e.g. people/Ada.jpg)");
        return photos;
    }
}
