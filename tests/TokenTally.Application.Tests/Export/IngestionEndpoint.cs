using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Text.Json.Nodes;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Export;

/// <summary>
/// A loopback stand-in for the Logs Ingestion API: records every request (path, query, headers, body unzipped) and answers
/// with the scripted statuses in order, then 204 as the API does.
/// </summary>
internal sealed class IngestionEndpoint : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(int Status, string? RetryAfter)> _script = new();
    private readonly Task _loop;

    public IngestionEndpoint()
    {
        var port = LoopbackPorts.Free();
        BaseAddress = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(BaseAddress + "/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string BaseAddress { get; }

    public ConcurrentQueue<IngestionRequest> Requests { get; } = new();

    /// <summary>Answers the next request with <paramref name="status"/> (and a Retry-After header when given).</summary>
    public void ThenAnswer(int status, string? retryAfter = null) => _script.Enqueue((status, retryAfter));

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var raw = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(raw);
            var gzip = context.Request.Headers["Content-Encoding"] == "gzip";
            var body = gzip ? Unzip(raw.ToArray()) : raw.ToArray();
            Requests.Enqueue(new IngestionRequest(
                context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.Url.Query, context.Request.Headers["Authorization"],
                context.Request.ContentType, context.Request.Headers["Content-Encoding"], raw.Length, body, DateTimeOffset.UtcNow));
            var (status, retryAfter) = _script.TryDequeue(out var next) ? next : (204, null);
            context.Response.StatusCode = status;
            if (retryAfter is not null)
            {
                context.Response.Headers["Retry-After"] = retryAfter;
            }

            context.Response.Close();
        }
    }

    private static byte[] Unzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress))
        {
            gzip.CopyTo(output);
        }

        return output.ToArray();
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}

internal sealed record IngestionRequest(
    string Method, string Path, string Query, string? Authorization, string? ContentType, string? ContentEncoding, long SentBytes, byte[] Body, DateTimeOffset At)
{
    public JsonArray Records => (JsonArray)JsonNode.Parse(Body)!;
}
