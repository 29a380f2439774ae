using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.DurableTask.Client;
using TokenTally.Local;

namespace TokenTally.Demo.Tests.Infrastructure;

/// <summary>
/// Local mode in this process, as <c>./run.sh</c> runs it, on a free loopback port and a data folder of its own (removed
/// when disposed), without the hourly schedule: the server the demo talks to.
/// </summary>
internal sealed class LocalModeApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalModeApp(WebApplication app, string dataPath, Uri address)
    {
        _app = app;
        DataPath = dataPath;
        Address = address;
        Client = new HttpClient { BaseAddress = address };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public string DataPath { get; }

    public string AdminKey => File.ReadAllText(Path.Combine(DataPath, "admin-key")).Trim();

    public static async Task<LocalModeApp> StartAsync()
    {
        var dataPath = Directory.CreateTempSubdirectory("tokentally-demo-").FullName;
        string[] args =
        [
            $"--TokenTally:Local:DataPath={dataPath}", "--TokenTally:Local:Port=0", "--TokenTally:Local:RunScheduler=false",
            "--Logging:LogLevel:Default=Warning", "--TokenTally:Pipeline:FirstRetryInterval=00:00:00.100",
        ];
        var app = LocalHost.Build(args);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LocalModeApp(app, dataPath, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await WaitForRunsToEndAsync();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(DataPath, recursive: true);
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
