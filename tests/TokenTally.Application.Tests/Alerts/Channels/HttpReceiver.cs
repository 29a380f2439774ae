using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Alerts.Channels;

/// <summary>What a receiver answers to its n-th request (1-based).</summary>
internal sealed record ReceiverAnswer(int Status, string? Body = null, IReadOnlyDictionary<string, string>? Headers = null, TimeSpan Delay = default);

/// <summary>One request as it arrived, with its raw body bytes.</summary>
internal sealed record ReceivedRequest(string Method, string PathAndQuery, IHeaderDictionary Headers, byte[] Body)
{
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);
}

/// <summary>
/// Kestrel on a loopback port standing in for an external endpoint (a Teams Workflows trigger, a webhook receiver, ACS
/// Email): it records every request and answers as the test scripts it (202 by default).
/// </summary>
internal sealed class HttpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Func<int, ReceivedRequest, ReceiverAnswer> _answer;
    private int _count;
    private bool _stopped;

    private HttpReceiver(Func<int, ReceivedRequest, ReceiverAnswer>? answer)
    {
        _answer = answer ?? ((_, _) => new ReceiverAnswer(202));
        Port = LoopbackPorts.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, Port));
        _app = builder.Build();
        _app.Run(ServeAsync);
    }

    public int Port { get; }

    public Uri Url(string pathAndQuery) => new($"http://127.0.0.1:{Port}{pathAndQuery}");

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    public static async Task<HttpReceiver> StartAsync(Func<int, ReceivedRequest, ReceiverAnswer>? answer = null)
    {
        var receiver = new HttpReceiver(answer);
        await receiver._app.StartAsync(TestContext.Current.CancellationToken);
        return receiver;
    }

    /// <summary>Stops listening: later connections are refused.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync(TestContext.Current.CancellationToken);
        }
    }

    private async Task ServeAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var request = new ReceivedRequest(
            context.Request.Method,
            context.Request.Path + context.Request.QueryString,
            new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase)),
            body.ToArray());
        Requests.Enqueue(request);
        var answer = _answer(Interlocked.Increment(ref _count), request);
        if (answer.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(answer.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = answer.Status;
        foreach (var (name, value) in answer.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (answer.Body is not null)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(answer.Body, context.RequestAborted);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}
