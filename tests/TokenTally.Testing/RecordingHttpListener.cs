using System.Collections.Concurrent;
using System.Net;

namespace TokenTally.Testing;

/// <summary>
/// A loopback HTTP endpoint standing in for an external collector: it records every request and answers with the scripted
/// statuses in order (<see cref="ThenAnswer"/>), then with <c>defaultStatus</c>.
/// </summary>
public sealed class RecordingHttpListener : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(int Status, string? RetryAfter)> _script = new();
    private readonly int _defaultStatus;
    private readonly Task _loop;

    public RecordingHttpListener(int defaultStatus = 200)
    {
        _defaultStatus = defaultStatus;
        Port = LoopbackPorts.Free();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string BaseAddress => $"http://127.0.0.1:{Port}/";

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Answers the next unscripted request with <paramref name="status"/> (and a Retry-After header when given).</summary>
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

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var request = context.Request;
            Requests.Enqueue(new RecordedRequest(
                request.HttpMethod, request.Url!.AbsolutePath, request.ContentType, body.ToArray(), request.Url.Query,
                request.Headers.AllKeys.OfType<string>().ToDictionary(k => k, k => request.Headers[k]!, StringComparer.OrdinalIgnoreCase), TimeProvider.System.GetUtcNow()));
            var (status, retryAfter) = _script.TryDequeue(out var next) ? next : (_defaultStatus, null);
            context.Response.StatusCode = status;
            if (retryAfter is not null)
            {
                context.Response.Headers["Retry-After"] = retryAfter;
            }

            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}

/// <summary>One request as the listener received it: method, path, content type, body as sent, query, headers and arrival time.</summary>
public sealed record RecordedRequest(string Method, string Path, string? ContentType, byte[] Body, string Query = "", IReadOnlyDictionary<string, string>? Headers = null, DateTimeOffset At = default)
{
    /// <summary>A header's value, or null.</summary>
    public string? Header(string name) => Headers?.GetValueOrDefault(name);
}
