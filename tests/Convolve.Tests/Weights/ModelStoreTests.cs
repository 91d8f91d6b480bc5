using Convolve.Tests.Imaging;
using Convolve.Weights;

namespace Convolve.Tests.Weights;

public sealed class ModelStoreTests : IDisposable
{
    private readonly TempFolder _dir = new();
    private readonly string _explicit, _env1, _env2, _repo, _cache;

    public ModelStoreTests()
    {
        (_explicit, _env1, _env2, _repo, _cache) = (Sub("explicit"), Sub("env1"), Sub("env2"), Sub("repo"), Sub("cache"));
        string Sub(string name) => Directory.CreateDirectory(Path.Combine(_dir.Path, name)).FullName;
    }

    public void Dispose() => _dir.Dispose();

    private ModelStore Store(string? explicitDir = null, string? env = null) =>
        new(explicitDir, name => name == "CONVOLVE_MODELS" ? env : null, _repo, _cache);

    private static void Put(string dir, string file, string content = "x") => File.WriteAllText(Path.Combine(dir, file), content);

    [Fact]
    public void SearchOrderIsExplicitThenEnvironmentThenRepositoryThenUserCache()
    {
        var store = Store(_explicit, _env1 + Path.PathSeparator + _env2);
        Assert.Equal([ModelSource.Explicit, ModelSource.Environment, ModelSource.Environment, ModelSource.Repository, ModelSource.UserCache],
            store.SearchLocations.Select(l => l.Source));
        Assert.Equal([_explicit, _env1, _env2, _repo, _cache], store.SearchDirectories);

        // The same file in every folder: each removal uncovers the next folder in the order.
        foreach (var d in new[] { _explicit, _env1, _env2, _repo, _cache }) Put(d, "m.bin");
        foreach (var expected in new[] { _explicit, _env1, _env2, _repo, _cache })
        {
            Assert.Equal(Path.Combine(expected, "m.bin"), store.TryFind("m.bin"));
            File.Delete(Path.Combine(expected, "m.bin"));
        }
        Assert.Null(store.TryFind("m.bin"));
    }

    [Fact]
    public void UnsetOrEmptyLocationsAreLeftOut()
    {
        var store = Store(explicitDir: "  ", env: "");
        Assert.Equal([_repo, _cache], store.SearchDirectories);
    }

    [Fact]
    public void AMissingExplicitFolderFallsThroughToTheOthers()
    {
        Put(_cache, "m.bin");
        var store = Store(Path.Combine(_dir.Path, "nowhere"));
        Assert.Equal(Path.Combine(_cache, "m.bin"), store.TryFind("m.bin"));
    }

    [Fact]
    public void MissingFaceModelNamesTheFileTheFoldersAndTheCommand()
    {
        string nowhere = Path.Combine(_dir.Path, "nowhere");
        var e = Assert.Throws<ModelNotFoundException>(() => Store(nowhere, _env1).Find("face_recognition_model-weights_manifest.json"));
        Assert.Equal(4, e.ExitCode);
        Assert.Equal("face_recognition_model-weights_manifest.json", e.FileName);
        Assert.StartsWith("Model file 'face_recognition_model-weights_manifest.json' was not found (looked in: ", e.Message);
        Assert.Contains($"{nowhere} (given folder, does not exist)", e.Message);
        Assert.Contains($"{_env1} (CONVOLVE_MODELS)", e.Message);
        Assert.Contains($"{_repo} (repository copy)", e.Message);
        Assert.Contains($"{_cache} (user cache)", e.Message);
        Assert.Contains("'npm ci'", e.Message);
        Assert.Contains($"npm pack {ModelStore.FaceApiPackage}", e.Message);
    }

    [Fact]
    public void MissingVgg19NamesWhereItBelongs()
    {
        var e = Assert.Throws<ModelNotFoundException>(() => Store().Find(ModelStore.Vgg19FileName));
        Assert.Contains(Path.Combine(ModelStore.UserCacheDirectory, ModelStore.Vgg19FileName), e.Message);
        Assert.DoesNotContain("npm", e.Message);
    }

    [Fact]
    public void ACallerCanGiveItsOwnHint()
    {
        var e = Assert.Throws<ModelNotFoundException>(() => Store().Find("x.safetensors", "Run 'convolve train' first."));
        Assert.EndsWith("Run 'convolve train' first.", e.Message);
    }

    [Theory]
    [InlineData("../m.bin")]
    [InlineData("sub/m.bin")]
    [InlineData("/etc/passwd")]
    [InlineData("..")]
    [InlineData("")]
    public void PathsAreNotModelNames(string name)
    {
        Assert.ThrowsAny<ArgumentException>(() => Store().TryFind(name));
    }

    [Fact]
    public void InspectReportsSizeAndSha256()
    {
        var model = ModelStore.KnownModels.Single(m => m.Name == "tiny_face_detector_model");
        Put(_env1, "tiny_face_detector_model.bin", "abc");
        var store = Store(env: _env1);

        var partial = store.Inspect(model);
        Assert.False(partial.Present);
        Assert.Equal(["tiny_face_detector_model-weights_manifest.json"], partial.MissingFiles);
        // SHA-256("abc") is the FIPS 180-2 example digest.
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", partial.Weights!.Sha256);
        Assert.Equal(3, partial.Weights.Bytes);
        Assert.False(partial.Verified); // not the pinned release's weights

        Put(_repo, "tiny_face_detector_model-weights_manifest.json", "[]");
        var complete = store.Inspect(model);
        Assert.True(complete.Present);
        Assert.Equal(5, complete.Bytes);
        Assert.Equal(Path.Combine(_repo, "tiny_face_detector_model-weights_manifest.json"), complete.OtherFiles.Single().Path);
    }

    [Fact]
    public void KnownModelsAreTheFiveFaceApiNetworksAndVgg19()
    {
        Assert.Equal(["face_recognition_model", "ssd_mobilenetv1_model", "tiny_face_detector_model", "face_landmark_68_model",
            "face_landmark_68_tiny_model", "vgg19-conv"], ModelStore.KnownModels.Select(m => m.Name));
    }

    [Fact]
    public void InstalledFaceModelsMatchThePinnedRelease()
    {
        string dir = Path.Combine(SharedData.RepoRoot, "node_modules", "@vladmandic", "face-api", "model");
        if (!File.Exists(Path.Combine(dir, "face_recognition_model.bin"))) Assert.Skip($"face models not installed in {dir} (run npm ci)");
        var store = new ModelStore(dir);
        foreach (var model in ModelStore.KnownModels.Where(m => m.ExpectedSha256 is not null))
        {
            var status = store.Inspect(model);
            Assert.True(status.Present, model.Name);
            Assert.True(status.Verified, $"{model.Name}: {status.Weights!.Sha256}");
        }
    }
}
