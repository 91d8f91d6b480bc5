using System.Security.Cryptography;
using System.Text.Json;
using Convolve.Tests.Imaging;
using Convolve.Weights;

namespace Convolve.Tests.Cli;

public class ModelsCommandTests
{
    private static readonly string[] FaceModels =
        ["face_recognition_model", "ssd_mobilenetv1_model", "tiny_face_detector_model", "face_landmark_68_model", "face_landmark_68_tiny_model"];

    private static Dictionary<string, JsonElement> ByName(JsonElement json) =>
        json.GetProperty("models").EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!);

    [Fact]
    public void JsonListsTheFiveFaceModelsWithTheirSha256AfterABuild()
    {
        string dir = Path.Combine(SharedData.RepoRoot, "node_modules", "@vladmandic", "face-api", "model");
        if (!File.Exists(Path.Combine(dir, "face_recognition_model.bin"))) Assert.Skip($"face models not installed in {dir}");

        var r = CliRunner.Run("models", "list", "--json");
        Assert.Equal(0, r.ExitCode);
        var models = ByName(r.Json());
        foreach (var name in FaceModels)
        {
            var m = models[name];
            Assert.True(m.GetProperty("present").GetBoolean(), name);
            Assert.True(m.GetProperty("verified").GetBoolean(), name);
            // Independent of the store: hash the file the entry points at.
            string weights = m.GetProperty("files")[0].GetProperty("path").GetString()!;
            Assert.Equal(name + ".bin", Path.GetFileName(weights));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(weights))), m.GetProperty("sha256").GetString());
            Assert.Equal(new FileInfo(weights).Length + new FileInfo(Path.Combine(Path.GetDirectoryName(weights)!, name + "-weights_manifest.json")).Length,
                m.GetProperty("bytes").GetInt64());
        }
        var vgg = models["vgg19-conv"];
        Assert.Equal(new ModelStore().TryFind(ModelStore.Vgg19FileName) is not null, vgg.GetProperty("present").GetBoolean());
    }

    [Fact]
    public void ModelsOptionIsSearchedFirst()
    {
        using var dir = new TempFolder();
        dir.Write(ModelStore.Vgg19FileName, "abc"u8.ToArray());
        var r = CliRunner.Run("models", "list", "--json", "--models", dir.Path);
        Assert.Equal(0, r.ExitCode);
        var json = r.Json();
        var first = json.GetProperty("searchPath")[0];
        Assert.Equal("explicit", first.GetProperty("source").GetString());
        Assert.Equal(dir.Path, first.GetProperty("directory").GetString());
        var vgg = ByName(json)["vgg19-conv"];
        Assert.True(vgg.GetProperty("present").GetBoolean());
        Assert.Equal(dir.Path, vgg.GetProperty("directory").GetString());
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", vgg.GetProperty("sha256").GetString());
    }

    [Fact]
    public void HumanOutputShowsTheSearchOrderAndEveryModel()
    {
        var r = CliRunner.Run("models", "list");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Model folders, searched in this order:", r.Stdout);
        Assert.Contains("(user cache", r.Stdout);
        foreach (var name in FaceModels.Append("vgg19-conv")) Assert.Contains(name, r.Stdout);
        Assert.DoesNotContain('\u001b', r.Stdout);
    }
}
