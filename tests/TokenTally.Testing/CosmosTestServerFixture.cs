using System.Security.Cryptography;
using Microsoft.Azure.Cosmos;
using TokenTally.Storage.Cosmos;

namespace TokenTally.Testing;

/// <summary>
/// The Cosmos DB test server (@vercel/cosmosdb-server, a Node implementation of the SQL API) on a
/// free loopback port, with a database created the way the Bicep template creates it.
/// </summary>
public sealed class CosmosTestServerFixture : IAsyncLifetime
{
    private NodeService? _server;

    public string Endpoint { get; private set; } = string.Empty;

    /// <summary>The server checks no signatures; a fresh random key keeps secret-looking literals out of the repo.</summary>
    public string Key { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));

    public CosmosClient Client { get; private set; } = null!;

    public string DatabaseName { get; } = "tokentally-tests";

    public async ValueTask InitializeAsync()
    {
        var port = LoopbackPorts.Free();
        _server = await NodeService.StartAsync(
            "@vercel/cosmosdb-server/lib/cli.js", ["--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)], [port], "Cosmos DB test server");
        Endpoint = $"https://127.0.0.1:{port}/";
        Client = CreateClient(Endpoint, Key);
        await CreateStore().EnsureCreatedAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// Creates a database of a test's own, with the containers the Bicep template creates, and returns its name. The server
    /// numbers resource ids in sequence, and one whose base64 form holds '/' or '+' cannot be routed (the SDK answers its
    /// queries 404 "stale cache"): such a database is left unused, its number spent, and another one created.
    /// </summary>
    public async Task<string> NewDatabaseAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var name = "db-" + Guid.NewGuid().ToString("N")[..12];
            var created = await Client.CreateDatabaseAsync(name, cancellationToken: cancellationToken);
            var resourceId = created.Resource.SelfLink.Trim('/')["dbs/".Length..];
            if (resourceId.IndexOfAny(['/', '+']) < 0)
            {
                await new CosmosDocumentStore(Client, name, CosmosReadMode.PartitionQuery).EnsureCreatedAsync(cancellationToken);
                return name;
            }
        }
    }

    public CosmosDocumentStore CreateStore(CosmosReadMode readMode = CosmosReadMode.PartitionQuery) => new(Client, DatabaseName, readMode);

    /// <summary>A gateway-mode client that trusts the server's self-signed certificate, as for the official emulator.</summary>
    public static CosmosClient CreateClient(string endpoint, string key) => new(endpoint, key, new CosmosClientOptions
    {
        ConnectionMode = ConnectionMode.Gateway,
        LimitToEndpoint = true,
        HttpClientFactory = () => new HttpClient(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
        }),
    });

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
