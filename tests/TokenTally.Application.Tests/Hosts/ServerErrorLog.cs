using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace TokenTally.Application.Tests.Hosts;

/// <summary>The errors a host under test logged, kept until a client shows them beside the 5xx answer they explain.</summary>
public sealed class ServerErrorLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _errors = new();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _errors);

    public IReadOnlyList<string> Drain()
    {
        var drained = new List<string>();
        while (_errors.TryDequeue(out var error))
        {
            drained.Add(error);
        }

        return drained;
    }

    public void Dispose()
    {
    }

    private const int Kept = 100;

    private sealed class Logger(string category, ConcurrentQueue<string> errors) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                errors.Enqueue($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : Environment.NewLine + exception)}");
                while (errors.Count > Kept && errors.TryDequeue(out _))
                {
                }
            }
        }
    }
}

/// <summary>Writes the host's logged errors to the test's output when an answer is a server error.</summary>
public sealed class ShowServerErrors(ServerErrorLog log, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if ((int)response.StatusCode >= 500 && TestContext.Current.TestOutputHelper is { } output)
        {
            output.WriteLine($"{request.Method} {request.RequestUri} answered {(int)response.StatusCode}; the host logged:");
            foreach (var error in log.Drain())
            {
                output.WriteLine(error);
            }
        }

        return response;
    }
}
