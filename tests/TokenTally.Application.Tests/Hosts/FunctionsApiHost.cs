using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TokenTally.Application.Pipeline;
using TokenTally.Application.Projects;
using TokenTally.Functions.Hosting;
using TokenTally.Local.Durable;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Hosts;

/// <summary>
/// The Functions app in process: its composition (AddTokenTallyFunctions) on the Cosmos DB test server and Azurite, its
/// HTTP function called for every request with a real HttpContext (<see cref="FunctionInvoker"/>), and the pipeline's
/// orchestrations on an in-process Durable Task backend standing in for the host's, whose client the function is given.
/// </summary>
public sealed class FunctionsApiHost : IApiHost
{
    private readonly IHost _host;
    private readonly IHost _durableClientHost;

    private FunctionsApiHost(IHost host, IHost durableClientHost, HttpClient client, string adminKey)
    {
        _host = host;
        _durableClientHost = durableClientHost;
        Client = client;
        AdminKey = adminKey;
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _host.Services;

    public string AdminKey { get; }

    public DurableTaskClient DurableClient => _durableClientHost.Services.GetRequiredService<DurableTaskClient>();

    /// <summary>Starts the app on a Cosmos database of its own; <paramref name="settings"/> add to or override its app settings.</summary>
    public static async Task<FunctionsApiHost> StartAsync(CosmosTestServerFixture cosmos, AzuriteFixture azurite, IDictionary<string, string?>? settings = null)
    {
        var adminKey = AdminKeyDocument.Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var database = await cosmos.NewDatabaseAsync(TestContext.Current.CancellationToken);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenTally:Cosmos:Endpoint"] = cosmos.Endpoint,
            ["TokenTally:Cosmos:Key"] = cosmos.Key,
            ["TokenTally:Cosmos:Database"] = database,
            ["TokenTally:Cosmos:ReadMode"] = "PartitionQuery",
            ["TokenTally:Storage:ConnectionString"] = azurite.ConnectionString,
            ["TokenTally:Admin:KeySha256"] = ProjectStore.Hash(adminKey),
            ["TokenTally:Pipeline:FirstRetryInterval"] = "00:00:00.100",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.Services.AddTokenTallyFunctions();
        var errors = new ServerErrorLog();
        builder.Services.AddSingleton<ILoggerProvider>(errors);

        // What the worker's ASP.NET Core host provides to middleware, and the Cosmos test server's self-signed certificate.
        builder.Services.AddSingleton(new DiagnosticListener("TokenTally.Tests"));
        builder.Services.AddSingleton<DiagnosticSource>(sp => sp.GetRequiredService<DiagnosticListener>());
        builder.Services.AddSingleton(_ => CosmosTestServerFixture.CreateClient(cosmos.Endpoint, cosmos.Key));

        // The Durable Task worker the Functions host would drive through the [Function] wrappers runs the same tasks here.
        var backend = new InProcessDurableBackend();
        builder.Services.AddSingleton(backend);
        builder.Services.AddDurableTaskWorker(worker =>
        {
            worker.UseGrpc(backend.Channel);
            worker.AddTasks(PipelineTasks.Register);
        });

        var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        var clientBuilder = Host.CreateApplicationBuilder();
        clientBuilder.Services.AddDurableTaskClient(client => client.UseGrpc(backend.Channel));
        var clientHost = clientBuilder.Build();
        var durableClient = clientHost.Services.GetRequiredService<DurableTaskClient>();
        var http = new HttpClient(new ShowServerErrors(errors, new FunctionInvoker(host.Services, durableClient))) { BaseAddress = new Uri("http://functions.test/") };
        return new FunctionsApiHost(host, clientHost, http, adminKey);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        var backend = Services.GetRequiredService<InProcessDurableBackend>();
        await _host.StopAsync();
        _host.Dispose();
        _durableClientHost.Dispose();
        await backend.DisposeAsync();
    }
}
