using System.Reflection;
using System.Security.Cryptography;

namespace Convolve.Weights;

/// <summary>Where a <see cref="ModelStore"/> looks, in search order.</summary>
public enum ModelSource
{
    /// <summary>The folder passed to the store's constructor (e.g. a <c>--models</c> option).</summary>
    Explicit,
    /// <summary>A folder named by the CONVOLVE_MODELS environment variable (several may be given, separated like PATH).</summary>
    Environment,
    /// <summary>The copy <c>npm ci</c> installed in the Convolve repository this build came from.</summary>
    Repository,
    /// <summary>The per-user cache (<see cref="ModelStore.UserCacheDirectory"/>).</summary>
    UserCache,
}

/// <summary>One folder a <see cref="ModelStore"/> searches.</summary>
/// <param name="Source">Why the folder is searched.</param>
/// <param name="Directory">The folder (it may not exist).</param>
public sealed record ModelSearchLocation(ModelSource Source, string Directory)
{
    /// <summary>Why the folder is searched, for people: "given folder", "CONVOLVE_MODELS", "repository copy", "user cache".</summary>
    public string Description => Source switch
    {
        ModelSource.Explicit => "given folder",
        ModelSource.Environment => "CONVOLVE_MODELS",
        ModelSource.Repository => "repository copy",
        _ => "user cache",
    };
}

/// <summary>A model Convolve knows: its files and how a user gets them.</summary>
/// <param name="Name">The model's name (the face-api file stem, e.g. <c>face_recognition_model</c>).</param>
/// <param name="Description">What the model does.</param>
/// <param name="WeightsFile">The file holding the weights.</param>
/// <param name="OtherFiles">Files that must sit beside the weights (e.g. a TF.js manifest).</param>
/// <param name="ExpectedSha256">The SHA-256 of the weights in the pinned release, when known (lower-case hex).</param>
/// <param name="HowToGetIt">The command or step that installs it, for error messages.</param>
public sealed record KnownModel(string Name, string Description, string WeightsFile, IReadOnlyList<string> OtherFiles,
    string? ExpectedSha256, string HowToGetIt);

/// <summary>A model file found on disk.</summary>
/// <param name="Path">Its full path.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Sha256">Its SHA-256, lower-case hex.</param>
public sealed record ModelFileInfo(string Path, long Bytes, string Sha256);

/// <summary>Whether a <see cref="KnownModel"/> is installed, and where.</summary>
/// <param name="Model">The model.</param>
/// <param name="Weights">The weights file, or null when it is not found.</param>
/// <param name="OtherFiles">The companion files that were found.</param>
/// <param name="MissingFiles">The files that were not found (empty when the model is complete).</param>
public sealed record ModelStatus(KnownModel Model, ModelFileInfo? Weights, IReadOnlyList<ModelFileInfo> OtherFiles, IReadOnlyList<string> MissingFiles)
{
    /// <summary>True when every file of the model was found.</summary>
    public bool Present => MissingFiles.Count == 0;

    /// <summary>True when the weights match the pinned release's SHA-256; null when there is nothing to compare.</summary>
    public bool? Verified => Weights is null || Model.ExpectedSha256 is null ? null : Weights.Sha256 == Model.ExpectedSha256;

    /// <summary>Total bytes of the files found.</summary>
    public long Bytes => (Weights?.Bytes ?? 0) + OtherFiles.Sum(f => f.Bytes);
}

/// <summary>
/// Finds model files, in this order: an explicit folder, the CONVOLVE_MODELS environment variable, the copy the
/// build installed in this repository (node_modules/@vladmandic/face-api/model), then the per-user cache
/// (~/.cache/convolve/models, or $XDG_CACHE_HOME/convolve/models). A missing file gives a
/// <see cref="ModelNotFoundException"/> that names the file, the folders searched and the command that gets it.
/// </summary>
public sealed class ModelStore
{
    /// <summary>The face-api release the face models come from (pinned in package-lock.json).</summary>
    public const string FaceApiPackage = "@vladmandic/face-api@1.7.15";

    /// <summary>The file the style-transfer encoder is stored as, in <see cref="UserCacheDirectory"/>.</summary>
    public const string Vgg19FileName = "vgg19-conv.safetensors";

    private readonly string? _explicitDirectory;
    private readonly Func<string, string?> _environment;
    private readonly string? _repositoryDirectory;
    private readonly string _userCacheDirectory;

    /// <summary>A store that looks in <paramref name="explicitDirectory"/> first, when given.</summary>
    public ModelStore(string? explicitDirectory = null)
        : this(explicitDirectory, Environment.GetEnvironmentVariable, RepositoryModelDirectory, UserCacheDirectory) { }

    /// <summary>A store with every location given (for tests: no process-wide environment or home folder involved).</summary>
    internal ModelStore(string? explicitDirectory, Func<string, string?> environment, string? repositoryDirectory, string userCacheDirectory)
    {
        _explicitDirectory = string.IsNullOrWhiteSpace(explicitDirectory) ? null : explicitDirectory;
        _environment = environment;
        _repositoryDirectory = string.IsNullOrWhiteSpace(repositoryDirectory) ? null : repositoryDirectory;
        _userCacheDirectory = userCacheDirectory;
    }

    /// <summary>The store with no explicit directory.</summary>
    public static ModelStore Default { get; } = new();

    /// <summary>The per-user cache directory (it may not exist yet).</summary>
    public static string UserCacheDirectory
    {
        get
        {
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string root = string.IsNullOrEmpty(xdg)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
                : xdg;
            return Path.Combine(root, "convolve", "models");
        }
    }

    /// <summary>The face-api model folder of the repository this library was built in, or null when unknown.</summary>
    // Computed on use, not in a static initializer: Default (declared above) is built first and needs it.
    public static string? RepositoryModelDirectory => typeof(ModelStore).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "ConvolveRepoModels")?.Value;

    /// <summary>
    /// How a user gets the face models: <c>npm ci</c> in the repository, or one command line that unpacks the pinned
    /// npm package into the user cache.
    /// </summary>
    public static string FaceModelsHint =>
        "Get the face models with 'npm ci' in the Convolve repository (the build runs it), or with: " +
        $"mkdir -p \"{UserCacheDirectory}\" && cd \"{UserCacheDirectory}\" && npm pack {FaceApiPackage} && " +
        "tar -xzf vladmandic-face-api-1.7.15.tgz --strip-components=2 package/model && rm vladmandic-face-api-1.7.15.tgz" +
        " (or set CONVOLVE_MODELS to a folder holding the face-api model files).";

    /// <summary>The models Convolve uses: the five face-api networks and the VGG-19 encoder for style transfer.</summary>
    public static IReadOnlyList<KnownModel> KnownModels { get; } =
    [
        FaceApi("face_recognition_model", "face encoder (ResNet-34, 128-d descriptors)", "b413e420d6840b2775fba32008db6f3cddb07d485967fb42cfcf379c16a8c589"),
        FaceApi("ssd_mobilenetv1_model", "face detector (SSD MobileNet V1)", "2835640602d53718aa6ae9a42896327eaa21beefed056c218d32ca7d79e1e2f8"),
        FaceApi("tiny_face_detector_model", "fast face detector (Tiny YOLO v2)", "b7503ce7df31039b1c43316a9b865cab6a70dd748cc602d3fa28b551503c3871"),
        FaceApi("face_landmark_68_model", "68-point face landmarks", "4611ef65c87d836d03d684b30eec4d195d8b219fa1dd58fc58945831c6b9299b"),
        FaceApi("face_landmark_68_tiny_model", "68-point face landmarks, tiny", "b98e9f2f7da76f8a6dda9741a36ed485b224b889d552de2b2c1bb16217f67bfc"),
        new("vgg19-conv", "VGG-19 convolutional layers for neural style transfer", Vgg19FileName, [], null,
            $"The style-transfer commands store it as {Path.Combine(UserCacheDirectory, Vgg19FileName)} (see docs/cli.md)."),
    ];

    private static KnownModel FaceApi(string stem, string description, string sha256) =>
        new(stem, description, stem + ".bin", [stem + "-weights_manifest.json"], sha256, FaceModelsHint);

    /// <summary>The folders searched, in order, with why each is searched (whether or not they exist).</summary>
    public IReadOnlyList<ModelSearchLocation> SearchLocations
    {
        get
        {
            var locations = new List<ModelSearchLocation>();
            void Add(ModelSource source, string dir) => locations.Add(new(source, Path.TrimEndingDirectorySeparator(dir)));
            if (_explicitDirectory is not null) Add(ModelSource.Explicit, _explicitDirectory);
            foreach (var dir in (_environment("CONVOLVE_MODELS") ?? "").Split(Path.PathSeparator,
                         StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                Add(ModelSource.Environment, dir);
            if (_repositoryDirectory is not null) Add(ModelSource.Repository, _repositoryDirectory);
            Add(ModelSource.UserCache, _userCacheDirectory);
            return locations;
        }
    }

    /// <summary>The directories searched, in order (those that are configured, whether or not they exist).</summary>
    public IReadOnlyList<string> SearchDirectories => SearchLocations.Select(l => l.Directory).ToList();

    /// <summary>The full path of <paramref name="fileName"/> in the first directory that has it, or null.</summary>
    public string? TryFind(string fileName)
    {
        CheckFileName(fileName);
        return SearchLocations.Select(l => Path.GetFullPath(Path.Combine(l.Directory, fileName))).FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// The full path of <paramref name="fileName"/>; throws <see cref="ModelNotFoundException"/> naming the file, each
    /// folder searched (marking those that do not exist) and <paramref name="howToGetIt"/> (default: how to get the
    /// face models).
    /// </summary>
    public string Find(string fileName, string? howToGetIt = null) =>
        TryFind(fileName) ?? throw new ModelNotFoundException(fileName, howToGetIt ?? HintFor(fileName),
            SearchLocations.Select(l => Directory.Exists(l.Directory)
                ? $"{l.Directory} ({l.Description})"
                : $"{l.Directory} ({l.Description}, does not exist)"));

    /// <summary>Which files of <paramref name="model"/> are installed, their sizes and SHA-256.</summary>
    public ModelStatus Inspect(KnownModel model)
    {
        var missing = new List<string>();
        ModelFileInfo? Describe(string file)
        {
            var path = TryFind(file);
            if (path is null) missing.Add(file);
            return path is null ? null : Hash(path);
        }
        var weights = Describe(model.WeightsFile);
        var others = model.OtherFiles.Select(Describe).OfType<ModelFileInfo>().ToList();
        return new ModelStatus(model, weights, others, missing);
    }

    /// <summary>The size and SHA-256 of the file at <paramref name="path"/>.</summary>
    public static ModelFileInfo Hash(string path)
    {
        using var stream = File.OpenRead(path);
        string sha = Convert.ToHexStringLower(SHA256.HashData(stream));
        return new ModelFileInfo(path, stream.Length, sha);
    }

    private static string HintFor(string fileName) =>
        KnownModels.FirstOrDefault(m => m.WeightsFile == fileName || m.OtherFiles.Contains(fileName))?.HowToGetIt ?? FaceModelsHint;

    /// <summary>Model names are plain file names: a path here would search outside the model folders.</summary>
    private static void CheckFileName(string fileName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        if (fileName != Path.GetFileName(fileName) || fileName is "." or "..")
            throw new ArgumentException($"'{fileName}' is not a plain file name; model files are looked up by name.", nameof(fileName));
    }
}
