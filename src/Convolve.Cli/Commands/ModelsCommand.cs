using System.CommandLine;
using Convolve.Cli.Infrastructure;
using Convolve.Weights;
using Spectre.Console;

namespace Convolve.Cli.Commands;

/// <summary><c>convolve models</c>: which model files are installed, where, their sizes and SHA-256.</summary>
public static class ModelsCommand
{
    /// <summary>The <c>models</c> command group.</summary>
    public static Command Create()
    {
        var list = new Command("list", "List the models Convolve uses: present or absent, folder, size, SHA-256 (checked against the pinned release).");
        list.SetConvolveAction(List);
        var models = new Command("models", "Model files: where they are looked for and which are installed.");
        models.Subcommands.Add(list);
        models.Subcommands.Add(ModelsPullCommand.Create());
        return models;
    }

    private static int List(CliContext ctx)
    {
        var store = ctx.Models;
        var statuses = ModelStore.KnownModels.Select(store.Inspect).ToList();
        var json = new
        {
            searchPath = store.SearchLocations.Select(l => new { source = l.Source, directory = l.Directory, exists = Directory.Exists(l.Directory) }),
            models = statuses.Select(s => new
            {
                name = s.Model.Name,
                description = s.Model.Description,
                present = s.Present,
                verified = s.Verified,
                directory = s.Weights is null ? null : Path.GetDirectoryName(s.Weights.Path),
                bytes = s.Bytes,
                sha256 = s.Weights?.Sha256,
                files = (s.Weights is null ? s.OtherFiles : s.OtherFiles.Prepend(s.Weights))
                    .Select(f => new { path = f.Path, bytes = f.Bytes, sha256 = f.Sha256 }),
                missing = s.MissingFiles,
                howToGetIt = s.Present ? null : s.Model.HowToGetIt,
            }),
        };
        ctx.Result(json, console => RenderHuman(console, store, statuses));
        return (int)ExitCode.Done;
    }

    private static void RenderHuman(IAnsiConsole console, ModelStore store, IReadOnlyList<ModelStatus> statuses)
    {
        console.WriteLine("Model folders, searched in this order:");
        foreach (var (location, i) in store.SearchLocations.Select((l, i) => (l, i + 1)))
            console.WriteLine($"  {i}. {location.Directory} ({location.Description}{(Directory.Exists(location.Directory) ? "" : ", does not exist")})");
        console.WriteLine();

        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("Model").AddColumn("Status").AddColumn(new TableColumn("Size").RightAligned()).AddColumn("SHA-256").AddColumn("Folder");
        foreach (var s in statuses)
        {
            string status = !s.Present ? "[red]absent[/]"
                : s.Verified == false ? "[yellow]present, differs from release[/]"
                : s.Verified == true ? "[green]present, verified[/]" : "[green]present[/]";
            table.AddRow(Markup.Escape(s.Model.Name), status, s.Present ? FormatBytes(s.Bytes) : "",
                s.Weights?.Sha256 ?? "", Markup.Escape(s.Weights is null ? "" : Path.GetDirectoryName(s.Weights.Path) ?? ""));
        }
        console.Write(table);

        foreach (var hint in statuses.Where(s => !s.Present).Select(s => s.Model.HowToGetIt).Distinct())
            console.WriteLine(hint);
    }

    private static string FormatBytes(long bytes) => bytes switch
    {
        >= 1 << 20 => $"{bytes / 1048576.0:0.0} MiB",
        >= 1 << 10 => $"{bytes / 1024.0:0.0} KiB",
        _ => $"{bytes} B",
    };
}
