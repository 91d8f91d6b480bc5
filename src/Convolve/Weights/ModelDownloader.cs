using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Convolve.Weights;

/// <summary>
/// A published checksum to verify a download against. Some sources publish the whole SHA-256; torchvision publishes
/// only its first 8 hex digits, in the file name (e.g. <c>vgg19-dcbb9e9d.pth</c>, checked by torch.hub's
/// <c>check_hash</c>). The check compares as many leading hex digits as were published: say which in messages.
/// </summary>
/// <param name="Sha256Hex">The full SHA-256 (64 hex digits) or the published prefix of it.</param>
public sealed record PublishedChecksum(string Sha256Hex)
{
    /// <summary>True when the whole SHA-256 is pinned.</summary>
    public bool IsFull => Sha256Hex.Length == 64;

    /// <summary>True when <paramref name="actualHex"/> (the file's full SHA-256) matches the published value.</summary>
    public bool Matches(string actualHex) => actualHex.StartsWith(Sha256Hex, StringComparison.OrdinalIgnoreCase);
}

/// <summary>Download progress: bytes so far and the total when the server said it.</summary>
/// <param name="Bytes">Bytes on disk so far (including a resumed part).</param>
/// <param name="TotalBytes">Expected total, when known.</param>
public readonly record struct DownloadProgress(long Bytes, long? TotalBytes);

/// <summary>
/// Downloads a file over HTTP(S) into a folder: writes to <c>NAME.part</c>, resumes an interrupted transfer with an
/// HTTP Range request (falls back to a fresh start when the server ignores it), verifies the SHA-256 against the
/// published checksum and only then renames to the final name. A mismatch deletes the part file and throws.
/// </summary>
public sealed class ModelDownloader
{
    private readonly HttpClient _http;

    /// <summary>Uses <paramref name="http"/> (or a new client) for requests.</summary>
    public ModelDownloader(HttpClient? http = null) => _http = http ?? new HttpClient { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Downloads <paramref name="url"/> to <paramref name="destination"/> and verifies it; returns the file's full SHA-256 (hex).</summary>
    public async Task<string> DownloadAsync(Uri url, string destination, PublishedChecksum checksum,
        IProgress<DownloadProgress>? progress = null, CancellationToken cancel = default)
    {
        string part = destination + ".part";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
        long existing = File.Exists(part) ? new FileInfo(part).Length : 0;

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (existing > 0) request.Headers.Range = new RangeHeaderValue(existing, null);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel).ConfigureAwait(false);

        bool resumed = existing > 0 && response.StatusCode == HttpStatusCode.PartialContent;
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && existing > 0)
        {
            // The part file already holds everything (or more): verify it as it is.
            resumed = true;
        }
        else if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"Download of {url} failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");

        long? total = response.Content.Headers.ContentLength is { } len ? (resumed ? existing + len : len) : null;
        if (response.StatusCode != HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            await using var file = new FileStream(part, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await using var body = await response.Content.ReadAsStreamAsync(cancel).ConfigureAwait(false);
            var buffer = new byte[1 << 16];
            long bytes = resumed ? existing : 0;
            progress?.Report(new DownloadProgress(bytes, total));
            int n;
            while ((n = await body.ReadAsync(buffer, cancel).ConfigureAwait(false)) > 0)
            {
                await file.WriteAsync(buffer.AsMemory(0, n), cancel).ConfigureAwait(false);
                bytes += n;
                progress?.Report(new DownloadProgress(bytes, total));
            }
            if (total is { } t && bytes < t)
                throw new IOException($"Download of {url} ended after {bytes} of {t} bytes; run the command again to resume.");
        }

        string actual = await Sha256Async(part, cancel).ConfigureAwait(false);
        if (!checksum.Matches(actual))
        {
            File.Delete(part);
            string what = checksum.IsFull ? "SHA-256" : $"first {checksum.Sha256Hex.Length} hex digits of the SHA-256 (all the source publishes)";
            throw new InvalidInputException(url.ToString(), $"checksum mismatch: the {what} should be {checksum.Sha256Hex}, the download has {actual}. The partial file was deleted.");
        }
        File.Move(part, destination, overwrite: true);
        return actual;
    }

    /// <summary>SHA-256 of a file as lowercase hex.</summary>
    public static async Task<string> Sha256Async(string path, CancellationToken cancel = default)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancel).ConfigureAwait(false));
    }
}
