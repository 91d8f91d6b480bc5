using Convolve.Imaging;

namespace Convolve.Tests.Imaging;

public sealed class ImageInputsTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public ImageInputsTests()
    {
        foreach (var name in new[] { "b.png", "a.jpg", "notes.txt", "sub/c.gif", "sub/deeper/d.JPG" }) _dir.Write(name, [0]);
    }

    public void Dispose() => _dir.Dispose();

    private string P(string relative) => Path.Combine(_dir.Path, relative);

    private string[] Names(IEnumerable<string> files) =>
        files.Select(f => Path.GetRelativePath(_dir.Path, f).Replace('\\', '/')).ToArray();

    [Fact]
    public void FolderGivesItsImagesSorted()
    {
        Assert.Equal(["a.jpg", "b.png"], Names(ImageInputs.Expand([_dir.Path])));
        Assert.Equal(["a.jpg", "b.png", "sub/c.gif", "sub/deeper/d.JPG"], Names(ImageInputs.Expand([_dir.Path], recursive: true)));
    }

    [Fact]
    public void GlobsMatchWithinAndAcrossFolders()
    {
        Assert.Equal(["b.png"], Names(ImageInputs.Expand([P("*.png")])));
        Assert.Equal(["a.jpg", "b.png"], Names(ImageInputs.Expand([P("?.*")])));
        Assert.Equal(["sub/c.gif", "sub/deeper/d.JPG"], Names(ImageInputs.Expand([P("sub/**")])));
        Assert.Equal(["sub/deeper/d.JPG"], Names(ImageInputs.Expand([P("**/d.*")])));
        Assert.Equal(["a.jpg"], Names(ImageInputs.Expand([P("[a]*")])));
    }

    [Fact]
    public void ExplicitFilesAreKeptInOrderAndListedOnce()
    {
        var files = ImageInputs.Expand([P("b.png"), P("notes.txt"), _dir.Path, P("missing.jpg")]);
        // The text file and the missing file stay: decoding reports them one by one, and a batch goes on.
        Assert.Equal(["b.png", "notes.txt", "a.jpg", "missing.jpg"], Names(files));
    }

    [Fact]
    public void AGlobMatchingNothingIsAnErrorNamingIt()
    {
        string pattern = P("*.webp");
        var e = Assert.Throws<InvalidInputException>(() => ImageInputs.Expand([pattern]));
        Assert.Equal(pattern, e.Path);
        Assert.Contains("matches no image files", e.Problem);
    }

    [Fact]
    public void AFolderWithoutImagesIsAnErrorNamingIt()
    {
        Directory.CreateDirectory(P("empty"));
        var e = Assert.Throws<InvalidInputException>(() => ImageInputs.Expand([P("empty")]));
        Assert.Equal(P("empty"), e.Path);
    }
}
