using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using TokenTally.Local;

namespace TokenTally.Application.Tests.Hosts;

/// <summary>Local mode as <c>./run.sh</c> runs it, on a free loopback port and a data folder of its own, without the hourly schedule.</summary>
public sealed class LocalApiHost : IApiHost
{
    private readonly WebApplication _app;

    private LocalApiHost(WebApplication app, string dataPath, HttpClient client, string adminKey)
    {
        _app = app;
        DataPath = dataPath;
        Client = client;
        AdminKey = adminKey;
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public DurableTaskClient DurableClient => _app.Services.GetRequiredService<DurableTaskClient>();

    public string AdminKey { get; }

    public string DataPath { get; }

    public Uri BaseAddress => Client.BaseAddress!;

    /// <summary>Starts local mode; <paramref name="settings"/> are command-line settings (<c>--TokenTally:…=…</c>) added after the test's own.</summary>
    public static async Task<LocalApiHost> StartAsync(IEnumerable<string>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "tokentally-local-" + Guid.NewGuid().ToString("N"));
        string[] args =
        [
            $"--TokenTally:Local:DataPath={dataPath}", "--TokenTally:Local:Port=0", "--TokenTally:Local:RunScheduler=false",
            "--Logging:LogLevel:Default=Warning", "--TokenTally:Pipeline:FirstRetryInterval=00:00:00.100", .. settings ?? [],
        ];
        var errors = new ServerErrorLog();
        var app = LocalHost.Build(args, services =>
        {
            services.AddSingleton<ILoggerProvider>(errors);
            configureServices?.Invoke(services);
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var adminKey = (await File.ReadAllTextAsync(Path.Combine(dataPath, "admin-key"), TestContext.Current.CancellationToken)).Trim();
        return new LocalApiHost(app, dataPath, new HttpClient(new ShowServerErrors(errors, new HttpClientHandler())) { BaseAddress = new Uri(address) }, adminKey);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(DataPath))
        {
            Directory.Delete(DataPath, recursive: true);
        }
    }
}
