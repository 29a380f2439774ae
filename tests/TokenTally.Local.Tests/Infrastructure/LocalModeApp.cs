using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.DurableTask.Client;

namespace TokenTally.Local.Tests.Infrastructure;

/// <summary>
/// Local mode in this process (<see cref="LocalHost.Build"/>, as Program.cs runs it) on a free loopback port and a data
/// folder the test owns, so that a second start can use the same data. The hourly schedule is off unless asked for.
/// </summary>
internal sealed class LocalModeApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private LocalModeApp(WebApplication app, string dataPath, HttpClient client)
    {
        _app = app;
        DataPath = dataPath;
        Client = client;
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public DurableTaskClient DurableClient => _app.Services.GetRequiredService<DurableTaskClient>();

    public string DataPath { get; }

    public string AdminKey => File.ReadAllText(Path.Combine(DataPath, "admin-key")).Trim();

    /// <summary>Starts local mode; <paramref name="settings"/> are command-line settings (<c>--TokenTally:…=…</c>) after the test's own.</summary>
    public static async Task<LocalModeApp> StartAsync(string dataPath, IEnumerable<string>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        string[] args =
        [
            $"--TokenTally:Local:DataPath={dataPath}", "--TokenTally:Local:Port=0", "--TokenTally:Local:RunScheduler=false",
            "--Logging:LogLevel:Default=Warning", "--TokenTally:Pipeline:FirstRetryInterval=00:00:00.100", .. settings ?? [],
        ];
        var app = LocalHost.Build(args, configureServices);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LocalModeApp(app, dataPath, new HttpClient { BaseAddress = new Uri(address) });
    }

    /// <summary>Stops the app as Ctrl+C does (hosted services stop, telemetry is flushed), once its runs have ended.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await WaitForRunsToEndAsync();
            await _app.StopAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>
    /// Waits (a bounded while) until no orchestration runs: the Durable Task worker does not wait for activities in flight
    /// when it stops, and one still archiving would write into the data folder while it is removed.
    /// </summary>
    private async Task WaitForRunsToEndAsync()
    {
        var client = _app.Services.GetRequiredService<DurableTaskClient>();
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            var running = false;
            await foreach (var instance in client.GetAllInstancesAsync(new OrchestrationQuery()))
            {
                running |= instance.RuntimeStatus is OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Running;
            }

            if (!running)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
        }
    }
}
