using Azure.Core;
using Azure.Identity;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;
using TokenTally.Functions.Hosting;
using TokenTally.Storage.AzureStorage;
using TokenTally.Storage.Blobs;
using TokenTally.Storage.Cosmos;
using TokenTally.Storage.Documents;
using TokenTally.Storage.FileSystem;
using TokenTally.Storage.InProcess;
using TokenTally.Storage.Queues;
using TokenTally.Storage.Sqlite;

namespace TokenTally.Functions.Storage;

public static class StorageSetup
{
    /// <summary>
    /// The ports and the adapters for the mode: SQLite, files and an in-process queue locally;
    /// Cosmos DB, Blob and Queue storage (managed identity unless a key is configured) in Azure.
    /// </summary>
    public static IServiceCollection AddStorage(this IServiceCollection services)
    {
        services.AddSingleton<LocalDataPaths>();
        services.AddSingleton<TokenCredential>(_ => new DefaultAzureCredential());
        services.AddHttpClient(nameof(StorageSetup));

        services.AddSingleton<IDocumentStore>(sp => sp.GetRequiredService<HostingEnvironment>().IsLocal
            ? sp.GetRequiredService<SqliteDocumentStore>()
            : sp.GetRequiredService<CosmosDocumentStore>());
        services.AddSingleton(sp => new SqliteDocumentStore(sp.GetRequiredService<LocalDataPaths>().Database, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp =>
        {
            var cosmos = sp.GetRequiredService<IOptions<CosmosOptions>>().Value;
            return new CosmosDocumentStore(sp.GetRequiredService<CosmosClient>(), cosmos.Database, cosmos.ReadMode);
        });
        services.AddSingleton(sp =>
        {
            var cosmos = sp.GetRequiredService<IOptions<CosmosOptions>>().Value;
            var clientOptions = new CosmosClientOptions { ConnectionMode = ConnectionMode.Gateway, ApplicationName = "tokentally" };
            return string.IsNullOrWhiteSpace(cosmos.Key)
                ? new CosmosClient(cosmos.Endpoint, sp.GetRequiredService<TokenCredential>(), clientOptions)
                : new CosmosClient(cosmos.Endpoint, cosmos.Key, clientOptions);
        });

        services.AddSingleton<IBlobStore>(sp =>
        {
            if (sp.GetRequiredService<HostingEnvironment>().IsLocal)
            {
                return new FileSystemBlobStore(sp.GetRequiredService<LocalDataPaths>().Blobs);
            }

            var (blobUri, _, credential) = AzureStorageAccount(sp);
            return new AzureBlobStore(Http(sp), blobUri, credential, sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<InProcessMessageQueue>();
        services.AddSingleton<IMessageQueue>(sp =>
        {
            if (sp.GetRequiredService<HostingEnvironment>().IsLocal)
            {
                return sp.GetRequiredService<InProcessMessageQueue>();
            }

            var (_, queueUri, credential) = AzureStorageAccount(sp);
            return new AzureQueueStore(Http(sp), queueUri, credential, sp.GetRequiredService<TimeProvider>());
        });
        services.AddHostedService<StoreInitializer>();
        return services;
    }

    private static HttpClient Http(IServiceProvider sp) => sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(StorageSetup));

    private static (Uri Blob, Uri Queue, StorageCredential Credential) AzureStorageAccount(IServiceProvider sp)
    {
        var options = sp.GetRequiredService<IOptions<StorageAccountOptions>>().Value;
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            var account = StorageConnectionString.Parse(options.ConnectionString);
            return (account.BlobEndpoint, account.QueueEndpoint, account.Credential);
        }

        var credential = StorageCredential.FromTokenCredential(sp.GetRequiredService<TokenCredential>());
        return (new Uri(options.BlobServiceUri!), new Uri(options.QueueServiceUri!), credential);
    }

    /// <summary>Creates the Cosmos database and containers at start-up when TokenTally:Cosmos:CreateIfNotExists is set.</summary>
    private sealed class StoreInitializer(IServiceProvider services, HostingEnvironment hosting, IOptions<CosmosOptions> cosmos) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            if (!hosting.IsLocal && cosmos.Value.CreateIfNotExists)
            {
                await services.GetRequiredService<CosmosDocumentStore>().EnsureCreatedAsync(cancellationToken);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>Where local mode keeps its data: TokenTally:Local:DataPath, resolved against the working directory.</summary>
public sealed class LocalDataPaths(IOptions<LocalOptions> options)
{
    public string Root { get; } = Path.GetFullPath(options.Value.DataPath);

    public string Database => Path.Combine(Root, "tokentally.db");

    public string Blobs => Path.Combine(Root, "blobs");

    public string AdminKey => Path.Combine(Root, "admin-key");
}
