using System.Diagnostics;
using System.Text.Json;
using Convolve.Data;

namespace Convolve.Tests.Training;

/// <summary>`convolve train` end to end in its own process, on a small signal folder the test writes.</summary>
public sealed class TrainCommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("convolve-train-cli-").FullName;

    private (int Exit, string Out, string Err) Run(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Convolve.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private string WriteSignals()
    {
        string data = Path.Combine(dir, "data");
        var set = SyntheticIdentities.Signals(10, 4, seed: 3);
        for (int i = 0; i < set.Samples.Count; i++)
        {
            string folder = Path.Combine(data, set.Identities[set.Samples[i].Identity]);
            Directory.CreateDirectory(folder);
            if (i % 2 == 0) SignalFiles.WriteWav16(Path.Combine(folder, $"{i}.wav"), set.Load(i).Select(v => v / 4).ToArray(), 8000);
            else NpyFile.Write(Path.Combine(folder, $"{i}.npy"), set.Load(i), new long[] { 64 });
        }
        return data;
    }

    [Fact]
    public void Trains_on_a_signal_folder_and_prints_json_metrics()
    {
        string data = WriteSignals(), output = Path.Combine(dir, "out");
        var (exit, stdout, stderr) = Run("train", "--data", data, "--out", output, "--modality", "signal", "--size", "64",
            "--epochs", "2", "--steps", "3", "--batch", "4x3", "--embedding", "8", "--width", "4", "--stages", "2", "--seed", "1", "--json");
        Assert.True(exit == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(2, json.RootElement.GetProperty("epochs").GetInt32());
        double auc = json.RootElement.GetProperty("validation").GetProperty("auc").GetDouble();
        Assert.InRange(auc, 0, 1);
        Assert.True(File.Exists(Path.Combine(output, "last", "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(output, "best", "config.json")));
    }

    [Fact]
    public void Usage_and_input_errors_have_their_exit_codes()
    {
        var (exit, _, err) = Run("train", "--data", dir, "--out", Path.Combine(dir, "o"), "--batch", "8by4");
        Assert.Equal(2, exit);
        Assert.Contains("--batch", err);
        string missing = Path.Combine(dir, "nope");
        (exit, _, err) = Run("train", "--data", missing, "--out", Path.Combine(dir, "o"), "--modality", "signal");
        Assert.Equal(3, exit);
        Assert.Contains(missing, err);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);
}
