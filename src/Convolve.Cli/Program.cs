using System.CommandLine;
using Convolve.Cli.Commands;

var root = new RootCommand("convolve: face verification, learned similarity and style transfer with convolutional networks");
root.Subcommands.Add(TrainCommand.Create());
// Ctrl-C cancels the command's token; long commands (train) save their state before exiting, so allow them time.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) });
