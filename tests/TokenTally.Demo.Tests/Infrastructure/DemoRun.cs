using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenTally.Demo.EventHubs;

namespace TokenTally.Demo.Tests.Infrastructure;

/// <summary>
/// One run of the demo traffic as its Program wires it: a <see cref="DemoTrafficService"/> with a <see cref="DemoClient"/>
/// over HTTP at the server, started and stopped like a hosted service, with its progress and its log lines.
/// </summary>
internal sealed class DemoRun : IAsyncDisposable
{
    private readonly DemoTrafficService _service;
    private readonly HttpClient _http;

    private DemoRun(DemoTrafficService service, HttpClient http, DemoProgress progress, RecordingLogger logs)
    {
        _service = service;
        _http = http;
        Progress = progress;
        Logs = logs;
    }

    public DemoProgress Progress { get; }

    public RecordingLogger Logs { get; }

    /// <summary>Starts the demo; with <paramref name="eventHub"/> it publishes its calls there instead of posting them.</summary>
    public static async Task<DemoRun> StartAsync(Uri server, DemoOptions options, TimeProvider? time = null, DemoEventHubSink? eventHub = null)
    {
        var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromMinutes(2) };
        var progress = new DemoProgress();
        var logs = new RecordingLogger();
        var service = new DemoTrafficService(new DemoClient(http), Options.Create(options), new ConfigurationBuilder().Build(), progress, time ?? TimeProvider.System, logs, eventHub);
        await service.StartAsync(TestContext.Current.CancellationToken);
        return new DemoRun(service, http, progress, logs);
    }

    public async ValueTask DisposeAsync()
    {
        await _service.StopAsync(CancellationToken.None);
        _service.Dispose();
        _http.Dispose();
    }

    /// <summary>Keeps every log line, with its exception.</summary>
    internal sealed class RecordingLogger : ILogger<DemoTrafficService>
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue($"{logLevel}: {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception)}");
    }
}
