namespace Convolve.Cli.Infrastructure;

/// <summary>
/// Turns the first Ctrl-C into a cancellation request, so long work stops cleanly between steps (files finish or are
/// left untouched, a summary is printed, exit code 130). A second Ctrl-C ends the process at once.
/// </summary>
public sealed class CtrlC : IDisposable
{
    private readonly CancellationTokenSource _cts = new();

    /// <summary>Starts listening for Ctrl-C.</summary>
    public CtrlC() => Console.CancelKeyPress += OnCancelKeyPress;

    /// <summary>Cancelled on the first Ctrl-C.</summary>
    public CancellationToken Token => _cts.Token;

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        if (_cts.IsCancellationRequested) return; // second press: let the runtime end the process
        e.Cancel = true;
        Console.Error.WriteLine("Stopping after the current step (press Ctrl-C again to quit at once)...");
        _cts.Cancel();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _cts.Dispose();
    }
}
