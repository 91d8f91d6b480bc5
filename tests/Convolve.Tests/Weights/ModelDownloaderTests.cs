using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Convolve.Weights;

namespace Convolve.Tests.Weights;

/// <summary>The downloader against an in-process HTTP/1.1 server on 127.0.0.1 serving a file the test generates.</summary>
public sealed class ModelDownloaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("convolve-dl-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Serves <see cref="Payload"/>; honours Range; the first <see cref="CutFirstResponseAfter"/> bytes only, then drops the connection, once.</summary>
    private sealed class TinyServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        public byte[] Payload { get; init; } = Array.Empty<byte>();
        public long? CutFirstResponseAfter { get; set; }
        public bool HonourRange { get; init; } = true;
        public List<string?> RangeHeaders { get; } = new();
        public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/vgg19-test.bin");

        public TinyServer Start()
        {
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    TcpClient client;
                    try { client = await _listener.AcceptTcpClientAsync(_stop.Token); } catch { return; }
                    _ = Task.Run(() => Serve(client));
                }
            });
            return this;
        }

        private async Task Serve(TcpClient client)
        {
            using var _ = client;
            var stream = client.GetStream();
            var reader = new StreamReader(stream, Encoding.ASCII);
            string? range = null, line;
            await reader.ReadLineAsync();
            while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync()))
                if (line.StartsWith("Range:", StringComparison.OrdinalIgnoreCase)) range = line[6..].Trim();
            lock (RangeHeaders) RangeHeaders.Add(range);
            long start = 0;
            if (range is not null && HonourRange) start = long.Parse(range["bytes=".Length..].TrimEnd('-'));
            bool partial = range is not null && HonourRange;
            string head = partial
                ? $"HTTP/1.1 206 Partial Content\r\nContent-Length: {Payload.Length - start}\r\nContent-Range: bytes {start}-{Payload.Length - 1}/{Payload.Length}\r\nConnection: close\r\n\r\n"
                : $"HTTP/1.1 200 OK\r\nContent-Length: {Payload.Length}\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            long end = Payload.Length;
            if (CutFirstResponseAfter is { } cut) { end = Math.Min(end, start + cut); CutFirstResponseAfter = null; }
            await stream.WriteAsync(Payload.AsMemory((int)start, (int)(end - start)));
            await stream.FlushAsync();
            client.Client.Shutdown(SocketShutdown.Both);
        }

        public void Dispose() { _stop.Cancel(); _listener.Stop(); }
    }

    private static byte[] Payload(int size)
    {
        var bytes = new byte[size];
        new Random(5).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task InterruptedTransferResumesWithRangeAndVerifies()
    {
        var payload = Payload(300_000);
        string sha = Convert.ToHexStringLower(SHA256.HashData(payload));
        using var server = new TinyServer { Payload = payload, CutFirstResponseAfter = 100_000 }.Start();
        string dest = Path.Combine(_dir, "model.bin");
        var downloader = new ModelDownloader();

        await Assert.ThrowsAnyAsync<IOException>(() => downloader.DownloadAsync(server.Url, dest, new PublishedChecksum(sha), null, TestContext.Current.CancellationToken));
        Assert.Equal(100_000, new FileInfo(dest + ".part").Length);
        Assert.False(File.Exists(dest));

        var seen = new List<DownloadProgress>();
        string got = await downloader.DownloadAsync(server.Url, dest, new PublishedChecksum(sha), new Sync(seen), TestContext.Current.CancellationToken);
        Assert.Equal(sha, got);
        Assert.Equal(payload, File.ReadAllBytes(dest));
        Assert.False(File.Exists(dest + ".part"));
        Assert.Equal(new string?[] { null, "bytes=100000-" }, server.RangeHeaders);
        Assert.Equal(100_000, seen[0].Bytes); // progress starts at the resumed offset
        Assert.Equal(300_000, seen[^1].Bytes);
        Assert.Equal(300_000, seen[^1].TotalBytes);
    }

    [Fact]
    public async Task ServerIgnoringRangeRestartsFromScratch()
    {
        var payload = Payload(50_000);
        string sha = Convert.ToHexStringLower(SHA256.HashData(payload));
        using var server = new TinyServer { Payload = payload, HonourRange = false }.Start();
        string dest = Path.Combine(_dir, "m.bin");
        File.WriteAllBytes(dest + ".part", new byte[777]); // stale partial data
        await new ModelDownloader().DownloadAsync(server.Url, dest, new PublishedChecksum(sha), null, TestContext.Current.CancellationToken);
        Assert.Equal(payload, File.ReadAllBytes(dest));
    }

    [Fact]
    public async Task ChecksumMismatchDeletesThePartAndNamesBothHashes()
    {
        var payload = Payload(20_000);
        using var server = new TinyServer { Payload = payload }.Start();
        string dest = Path.Combine(_dir, "bad.bin");
        string wrong = new string('0', 64);
        var e = await Assert.ThrowsAsync<InvalidInputException>(() =>
            new ModelDownloader().DownloadAsync(server.Url, dest, new PublishedChecksum(wrong), null, TestContext.Current.CancellationToken));
        Assert.Contains("checksum mismatch", e.Message);
        Assert.Contains(wrong, e.Message);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(payload)), e.Message);
        Assert.False(File.Exists(dest));
        Assert.False(File.Exists(dest + ".part"));
    }

    [Fact]
    public async Task PrefixChecksumAsTorchvisionPublishesIt()
    {
        var payload = Payload(10_000);
        string sha = Convert.ToHexStringLower(SHA256.HashData(payload));
        using var server = new TinyServer { Payload = payload }.Start();
        Assert.False(new PublishedChecksum(sha[..8]).IsFull);
        await new ModelDownloader().DownloadAsync(server.Url, Path.Combine(_dir, "ok.bin"), new PublishedChecksum(sha[..8]), null, TestContext.Current.CancellationToken);
        var e = await Assert.ThrowsAsync<InvalidInputException>(() => new ModelDownloader().DownloadAsync(server.Url, Path.Combine(_dir, "no.bin"),
            new PublishedChecksum(sha[..7] + (sha[7] == '0' ? '1' : '0')), null, TestContext.Current.CancellationToken));
        Assert.Contains("first 8 hex digits", e.Message);
    }

    [Fact]
    public void KeepsOnlyTheConvolutionalLayers()
    {
        // A full-layout VGG19 with tiny stand-in values: 16 convs (correct shapes) plus a classifier that must be dropped.
        string full = Path.Combine(_dir, "full.safetensors");
        var entries = new List<SafeTensorsWriter.Entry>();
        foreach (var l in Convolve.Models.Vgg19Architecture.Layers.Where(l => l.Kind == Convolve.Models.Vgg19Architecture.LayerKind.Conv))
        {
            entries.Add(new($"features.{l.TorchvisionIndex}.weight", new long[] { l.OutChannels, l.InChannels, 3, 3 }, new float[l.OutChannels * l.InChannels * 9]));
            entries.Add(new($"features.{l.TorchvisionIndex}.bias", new long[] { l.OutChannels }, Enumerable.Repeat((float)l.TorchvisionIndex, l.OutChannels).ToArray()));
        }
        entries.Add(new("classifier.0.weight", new long[] { 64, 64 }, new float[64 * 64]));
        SafeTensorsWriter.Write(full, entries);
        string conv = Path.Combine(_dir, "conv.safetensors");
        Vgg19Weights.KeepConvolutionsOnly(full, conv);
        using var f = SafeTensorsFile.Open(conv);
        Assert.Equal(32, f.Tensors.Count);
        Assert.DoesNotContain(f.Tensors.Keys, k => k.StartsWith("classifier"));
        Assert.Equal(34f, f.ReadFloats("features.34.bias")[0]);
        using var net = Convolve.Models.Vgg19Features.Load(conv, Convolve.Models.Vgg19Layout.Torchvision, new[] { "relu5_4" });
        Assert.Equal("relu5_4", net.LastLayer);
    }

    private sealed class Sync(List<DownloadProgress> sink) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => sink.Add(value);
    }
}
