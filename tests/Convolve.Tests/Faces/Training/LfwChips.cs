using System.Globalization;
using Convolve.Faces;
using Convolve.Faces.Training;
using Convolve.Tests.Imaging;
using Convolve.Weights;

namespace Convolve.Tests.Faces.Training;

/// <summary>
/// 150×150 face chips of a few LFW View 1 DevTrain people (four photos each), cut once per test class with the default
/// analyzer into a temporary identity tree. Skips when ../shared or the face models are absent.
/// </summary>
public sealed class LfwChips : IDisposable
{
    private readonly TempFolder _dir = new();
    private readonly Lazy<string> _root;

    public LfwChips() => _root = new Lazy<string>(() => Cut(People));

    /// <summary>How many people.</summary>
    public const int People = 6;

    /// <summary>Photos (and chips) per person.</summary>
    public const int PerPerson = 4;

    /// <summary>The face-api model folder (skips when absent).</summary>
    public static ModelStore Models => new(SharedData.RequireFaceModels());

    /// <summary>The chip tree root/&lt;person&gt;/&lt;name&gt;.png.</summary>
    public string Root
    {
        get
        {
            SharedData.RequireFaceModels();
            SharedData.Require("data/lfw-view1");
            return _root.Value;
        }
    }

    /// <summary>A scratch folder deleted with the fixture.</summary>
    public string Scratch(string name) => Path.Combine(_dir.Path, name);

    private string Cut(int people)
    {
        string lfw = SharedData.Require("data/lfw-view1");
        string photos = Path.Combine(_dir.Path, "photos"), chips = Path.Combine(_dir.Path, "chips");
        var names = File.ReadLines(Path.Combine(lfw, "peopleDevTrain.txt")).Skip(1).Select(l => l.Split('\t'))
            .Where(f => int.Parse(f[1], CultureInfo.InvariantCulture) >= PerPerson).Select(f => f[0]).Take(people);
        foreach (string name in names)
            for (int i = 1; i <= PerPerson; i++) Cli.LfwSample.Copy(photos, name, i);
        using var analyzer = FaceAnalyzer.Load(new FaceAnalyzerOptions { Models = Models });
        var report = new FaceChipExtractor(analyzer).ExtractAll(photos, chips);
        if (report.Chips != people * PerPerson) throw new InvalidOperationException($"expected {people * PerPerson} chips, got {report.Chips}");
        return chips;
    }

    public void Dispose() => _dir.Dispose();
}
