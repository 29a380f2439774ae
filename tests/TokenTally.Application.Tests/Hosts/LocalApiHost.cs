using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Hosts;

/// <summary>Local mode as <c>./run.sh</c> runs it, on a free loopback port and a data folder of its own, without the hourly schedule.</summary>
public sealed class LocalApiHost : IApiHost
{
    private readonly LocalModeApp _app;

    private LocalApiHost(LocalModeApp app, HttpClient client)
    {
        _app = app;
        Client = client;
        AdminKey = app.AdminKey;
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public DurableTaskClient DurableClient => _app.DurableClient;

    public string AdminKey { get; }

    public string DataPath => _app.DataPath;

    public Uri BaseAddress => _app.Address;

    /// <summary>Starts local mode; <paramref name="settings"/> are command-line settings (<c>--TokenTally:…=…</c>) added after the test's own.</summary>
    public static async Task<LocalApiHost> StartAsync(IEnumerable<string>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        var errors = new ServerErrorLog();
        var app = await LocalModeApp.StartAsync(settings: settings, configureServices: services =>
        {
            services.AddSingleton<ILoggerProvider>(errors);
            configureServices?.Invoke(services);
        });
        return new LocalApiHost(app, new HttpClient(new ShowServerErrors(errors, new HttpClientHandler())) { BaseAddress = app.Address });
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.DisposeAsync();
    }
}
