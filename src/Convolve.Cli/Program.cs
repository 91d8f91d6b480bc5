using System.CommandLine;
using Convolve.Cli.Commands;

var root = new RootCommand("convolve: face verification, learned similarity and style transfer with convolutional networks");
root.Subcommands.Add(TrainCommand.Create());
return await root.Parse(args).InvokeAsync();
