using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TokenTally.Application.Pipeline;
using TokenTally.Application.Projects;
using TokenTally.Functions.Hosting;
using TokenTally.Local.Durable;
using TokenTally.Storage.Cosmos;

namespace TokenTally.Testing;

/// <summary>
/// The Functions app's composition (<see cref="FunctionsSetup.AddTokenTallyFunctions"/>) started in process on the storage
/// split it runs on in Azure — tables of its own in Azurite, a Cosmos database of its own on the test server, Azurite's
/// blobs — as the worker would start it, with an in-process Durable Task
/// backend standing in for the host's: a worker running the pipeline's tasks and a client handed to the functions as the
/// host's <c>[DurableClient]</c> binding would. <see cref="Api"/> reaches the API through the Api function.
/// </summary>
public sealed class WorkerApp : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly IHost _clientHost;
    private readonly InProcessDurableBackend _backend;

    private WorkerApp(IHost host, IHost clientHost, InProcessDurableBackend backend, string adminKey, string database, string tablePrefix)
    {
        TablePrefix = tablePrefix;
        _host = host;
        _clientHost = clientHost;
        _backend = backend;
        AdminKey = adminKey;
        Database = database;
        Api = new HttpClient(new ApiFunctionHandler(host.Services, DurableClient)) { BaseAddress = new Uri("http://functions.test/") };
    }

    public IServiceProvider Services => _host.Services;

    public string AdminKey { get; }

    /// <summary>The Cosmos database this app's traces live in.</summary>
    public string Database { get; }

    /// <summary>What this app's table names start with in Azurite (the ledger, rollups, configuration and runs).</summary>
    public string TablePrefix { get; }

    public DurableTaskClient DurableClient => _clientHost.Services.GetRequiredService<DurableTaskClient>();

    /// <summary>Requests under <c>/api/…</c>, each answered by invoking the Api function with a real HttpContext.</summary>
    public HttpClient Api { get; }

    /// <summary>
    /// Starts the app. <paramref name="settings"/> add to or override its app settings; <paramref name="services"/> runs after
    /// the app's own registrations (to swap a service for a faulty one).
    /// </summary>
    public static async Task<WorkerApp> StartAsync(
        CosmosTestServerFixture cosmos, AzuriteFixture azurite, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var adminKey = AdminKeyDocument.Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

        // Created here rather than by TokenTally:Cosmos:CreateIfNotExists, which needs the store to be the Cosmos one: a
        // test may wrap it.
        var database = await cosmos.NewDatabaseAsync(TestContext.Current.CancellationToken);
        var tablePrefix = "app" + Guid.NewGuid().ToString("N")[..12];

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenTally:Cosmos:Endpoint"] = cosmos.Endpoint,
            ["TokenTally:Cosmos:Key"] = cosmos.Key,
            ["TokenTally:Cosmos:Database"] = database,
            ["TokenTally:Cosmos:ReadMode"] = nameof(CosmosReadMode.PartitionQuery),
            ["TokenTally:Storage:ConnectionString"] = azurite.ConnectionString,
            ["TokenTally:Storage:TablePrefix"] = tablePrefix,
            ["TokenTally:Storage:CreateTablesIfNotExists"] = "true",
            ["TokenTally:Admin:KeySha256"] = ProjectStore.Hash(adminKey),
            ["TokenTally:Pipeline:FirstRetryInterval"] = "00:00:00.100",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.Services.AddTokenTallyFunctions(builder.Configuration);

        // What the worker's ASP.NET Core host gives middleware, and a Cosmos client that trusts the test server's certificate.
        builder.Services.AddSingleton(new DiagnosticListener("TokenTally.Tests"));
        builder.Services.AddSingleton<DiagnosticSource>(sp => sp.GetRequiredService<DiagnosticListener>());
        builder.Services.AddSingleton(_ => CosmosTestServerFixture.CreateClient(cosmos.Endpoint, cosmos.Key));

        var backend = new InProcessDurableBackend();
        builder.Services.AddDurableTaskWorker(worker =>
        {
            worker.UseGrpc(backend.Channel);
            worker.AddTasks(PipelineTasks.Register);
        });
        services?.Invoke(builder.Services);

        var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        var clientBuilder = Host.CreateApplicationBuilder();
        clientBuilder.Logging.SetMinimumLevel(LogLevel.Warning);
        clientBuilder.Services.AddDurableTaskClient(client => client.UseGrpc(backend.Channel));
        return new WorkerApp(host, clientBuilder.Build(), backend, adminKey, database, tablePrefix);
    }

    public HttpRequestMessage Admin(HttpMethod method, string path, object? body = null) => ApiRequests.Admin(method, path, AdminKey, body);

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await _host.StopAsync();
        _host.Dispose();
        _clientHost.Dispose();
        await _backend.DisposeAsync();
    }
}
