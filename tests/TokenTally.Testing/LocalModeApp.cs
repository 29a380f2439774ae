using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using TokenTally.Local;

namespace TokenTally.Testing;

/// <summary>
/// Local mode in this process (<see cref="LocalHost.Build"/>, as Program.cs runs it) on a free loopback port, without the
/// hourly schedule unless asked for. Its data folder is the test's when given (so that a second start can use the same
/// data), else one of its own, removed when it is disposed.
/// </summary>
public sealed class LocalModeApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TemporaryFolder? _ownFolder;
    private bool _stopped;

    private LocalModeApp(WebApplication app, string dataPath, TemporaryFolder? ownFolder, Uri address)
    {
        _app = app;
        _ownFolder = ownFolder;
        DataPath = dataPath;
        Address = address;
        Client = new HttpClient { BaseAddress = address };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public DurableTaskClient DurableClient => _app.Services.GetRequiredService<DurableTaskClient>();

    public string DataPath { get; }

    public string AdminKey => File.ReadAllText(Path.Combine(DataPath, "admin-key")).Trim();

    /// <summary>Starts local mode; <paramref name="settings"/> are command-line settings (<c>--TokenTally:…=…</c>) after the test's own.</summary>
    public static async Task<LocalModeApp> StartAsync(string? dataPath = null, IEnumerable<string>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        var ownFolder = dataPath is null ? new TemporaryFolder() : null;
        dataPath ??= ownFolder!.Path;
        string[] args =
        [
            $"--TokenTally:Local:DataPath={dataPath}", "--TokenTally:Local:Port=0", "--TokenTally:Local:RunScheduler=false",
            "--Logging:LogLevel:Default=Warning", "--TokenTally:Pipeline:FirstRetryInterval=00:00:00.100", .. settings ?? [],
        ];
        var app = LocalHost.Build(args, configureServices);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LocalModeApp(app, dataPath, ownFolder, new Uri(address));
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
        _ownFolder?.Dispose();
    }

    /// <summary>
    /// Waits (a bounded while) until no orchestration runs: the Durable Task worker does not wait for activities in flight
    /// when it stops, and one still archiving would write into the data folder while it is removed.
    /// </summary>
    private async Task WaitForRunsToEndAsync()
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            var running = false;
            await foreach (var instance in DurableClient.GetAllInstancesAsync(new OrchestrationQuery()))
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
