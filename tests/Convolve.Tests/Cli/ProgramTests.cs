using System.CommandLine;
using Convolve.Cli;
using Convolve.Cli.Infrastructure;

namespace Convolve.Tests.Cli;

public class ProgramTests
{
    [Fact]
    public void VersionPrintsTheLibraryVersion()
    {
        var r = CliRunner.Run("--version");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(ConvolveInfo.Version, r.Stdout.Trim());
    }

    [Fact]
    public void HelpListsCommandsGlobalOptionsAndExitCodes()
    {
        var r = CliRunner.Run("--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("convolve [command] [options]", r.Stdout);
        Assert.Contains("models", r.Stdout);
        Assert.Contains("--json", r.Stdout);
        Assert.Contains("--models <dir>", r.Stdout);
        Assert.Contains("Exit codes: 0 done, 1 failure, 2 usage, 3 bad input, 4 missing model", r.Stdout);
        Assert.DoesNotContain('\u001b', r.Stdout); // no ANSI escapes when stdout is not a terminal
    }

    [Fact]
    public void SubcommandHelpShowsInheritedOptions()
    {
        var r = CliRunner.Run("models", "list", "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("convolve models list [options]", r.Stdout);
        Assert.Contains("--json", r.Stdout);
    }

    [Fact]
    public void UnknownCommandIsAUsageError()
    {
        var r = CliRunner.Run("bogus");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("Unrecognized command or argument 'bogus'", r.Stderr);
        Assert.Contains("Run 'convolve --help' for usage.", r.Stderr);
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public void NoCommandIsAUsageError()
    {
        Assert.Equal(2, CliRunner.Run().ExitCode);
    }

    [Fact]
    public void UsageErrorWithJsonWritesAJsonError()
    {
        var r = CliRunner.Run("models", "list", "--bogus", "--json");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("Run 'convolve models list --help' for usage.", r.Stderr);
        var error = r.Json().GetProperty("error");
        Assert.Equal(2, error.GetProperty("code").GetInt32());
        Assert.Equal("usage", error.GetProperty("kind").GetString());
        Assert.Contains("--bogus", error.GetProperty("message").GetString());
    }

    private static CliOutcome RunThrowing(Exception error, params string[] extra)
    {
        var root = Program.CreateRoot();
        var boom = new Command("boom");
        boom.SetConvolveAction(new Func<CliContext, int>(_ => throw error));
        root.Subcommands.Add(boom);
        return CliRunner.Run(root, ["boom", .. extra]);
    }

    [Fact]
    public void MissingModelExitsFourWithTheMessage()
    {
        var r = RunThrowing(new ModelNotFoundException("x.bin", "Run 'npm ci'.", ["/a"]));
        Assert.Equal(4, r.ExitCode);
        Assert.Contains("error: Model file 'x.bin' was not found (looked in: /a). Run 'npm ci'.", r.Stderr);
    }

    [Fact]
    public void BadInputExitsThreeAndNamesTheFileInJson()
    {
        var r = RunThrowing(new InvalidInputException("/p/a.jpg", "file not found"), "--json");
        Assert.Equal(3, r.ExitCode);
        var error = r.Json().GetProperty("error");
        Assert.Equal("bad-input", error.GetProperty("kind").GetString());
        Assert.Equal("/p/a.jpg", error.GetProperty("path").GetString());
        Assert.Equal("/p/a.jpg: file not found", error.GetProperty("message").GetString());
    }

    [Fact]
    public void AnyOtherErrorExitsOne()
    {
        var r = RunThrowing(new InvalidOperationException("disk on fire"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("error: disk on fire", r.Stderr);
    }

    [Fact]
    public void ExitCodesMatchTheDocumentedTable()
    {
        Assert.Equal(ExitCode.BadInput, ExitCodes.For(new InvalidInputException("f", "p")));
        Assert.Equal(ExitCode.MissingModel, ExitCodes.For(new ModelNotFoundException("f", "h", [])));
        Assert.Equal(ExitCode.Canceled, ExitCodes.For(new OperationCanceledException()));
        Assert.Equal(ExitCode.Failure, ExitCodes.For(new IOException()));
        Assert.Equal([0, 1, 2, 3, 4, 130], Enum.GetValues<ExitCode>().Select(c => (int)c));
    }
}

public class BatchRunnerTests
{
    [Fact]
    public void CtrlCMidBatchFinishesTheCurrentFileAndSummarizes()
    {
        using var cts = new CancellationTokenSource();
        var tried = new List<string>();
        var root = Program.CreateRoot();
        var batch = new Command("batch");
        batch.SetConvolveAction(new Func<CliContext, int>(ctx =>
        {
            var result = BatchRunner.Run(ctx, ["one", "two", "three", "four"], (file, _) =>
            {
                tried.Add(file);
                if (file == "two") throw new InvalidInputException(file, "unreadable");
                if (file == "three") cts.Cancel(); // Ctrl-C arrives while "three" is being worked on
                return file.Length;
            });
            Assert.Equal([3, 5], result.Done.Select(d => d.Result));
            return (int)result.ExitCode;
        }));
        root.Subcommands.Add(batch);

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(root, ["batch"], stdout, stderr, cts.Token);
        Assert.Equal(130, code);
        Assert.Equal(["one", "two", "three"], tried);
        Assert.Contains("skipped two: unreadable", stderr.ToString());
        Assert.Contains("4 files: 2 done, 1 failed, 1 not tried (canceled).", stderr.ToString());
    }
}
