using Convolve.Faces.Evaluation;
using Convolve.Tests.Imaging;

namespace Convolve.Tests.Faces.Evaluation;

public sealed class IdentityFoldersTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ReadsOneIdentityPerFolderWithItsImagesSortedAndSkipsTheRest()
    {
        _dir.Write("Bob/b.png", [1]);
        _dir.Write("Bob/a.JPG", [1]);
        _dir.Write("Bob/notes.txt", [1]);          // not an image
        _dir.Write("Alice/1.jpg", [1]);
        _dir.Write("Alice/deeper/2.jpg", [1]);     // only images directly in the identity folder count
        _dir.Write("loose.jpg", [1]);              // not in an identity folder
        Directory.CreateDirectory(Path.Combine(_dir.Path, "Empty"));

        var identities = IdentityFolders.Read(_dir.Path);

        Assert.Equal(["Alice", "Bob"], identities.Select(i => i.Identity));
        Assert.Equal([Path.Combine(_dir.Path, "Alice", "1.jpg")], identities[0].Images);
        Assert.Equal([Path.Combine(_dir.Path, "Bob", "a.JPG"), Path.Combine(_dir.Path, "Bob", "b.png")], identities[1].Images);
    }

    [Fact]
    public void AMissingFolderOrOneWithoutIdentitiesIsBadInputNamingIt()
    {
        string missing = Path.Combine(_dir.Path, "nope");
        var e = Assert.Throws<InvalidInputException>(() => IdentityFolders.Read(missing));
        Assert.Equal(missing, e.Path);
        Assert.Contains("folder not found", e.Message);

        _dir.Write("loose.jpg", [1]);
        e = Assert.Throws<InvalidInputException>(() => IdentityFolders.Read(_dir.Path));
        Assert.Contains("no identity folders with images", e.Message);
    }
}
