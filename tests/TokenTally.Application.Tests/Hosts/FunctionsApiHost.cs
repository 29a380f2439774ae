using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Hosts;

/// <summary>
/// The Functions app in process (<see cref="WorkerApp"/>: its composition on the Cosmos DB test server and Azurite, the
/// pipeline on an in-process Durable Task backend standing in for the host's), its HTTP function called for every request
/// with a real HttpContext (<see cref="ApiFunctionHandler"/>).
/// </summary>
public sealed class FunctionsApiHost : IApiHost
{
    private readonly WorkerApp _app;

    private FunctionsApiHost(WorkerApp app, HttpClient client)
    {
        _app = app;
        Client = client;
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public string AdminKey => _app.AdminKey;

    public DurableTaskClient DurableClient => _app.DurableClient;

    /// <summary>Starts the app on a Cosmos database of its own; <paramref name="settings"/> add to or override its app settings.</summary>
    public static async Task<FunctionsApiHost> StartAsync(
        CosmosTestServerFixture cosmos, AzuriteFixture azurite, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        var errors = new ServerErrorLog();
        var app = await WorkerApp.StartAsync(cosmos, azurite, settings, services =>
        {
            services.AddSingleton<ILoggerProvider>(errors);
            configureServices?.Invoke(services);
        });
        var client = new HttpClient(new ShowServerErrors(errors, new ApiFunctionHandler(app.Services, app.DurableClient))) { BaseAddress = app.Api.BaseAddress };
        return new FunctionsApiHost(app, client);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.DisposeAsync();
    }
}
