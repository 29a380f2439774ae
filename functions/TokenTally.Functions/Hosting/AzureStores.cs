using Azure.Core;
using Azure.Identity;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TokenTally.Storage.AzureStorage;
using TokenTally.Storage.Blobs;
using TokenTally.Storage.Cosmos;
using TokenTally.Storage.Documents;

namespace TokenTally.Functions.Hosting;

/// <summary>TokenTally:Cosmos — the document store.</summary>
public sealed class CosmosOptions
{
    public const string Section = "TokenTally:Cosmos";

    /// <summary>https://&lt;account&gt;.documents.azure.com:443/</summary>
    public string? Endpoint { get; set; }

    public string Database { get; set; } = "tokentally";

    /// <summary>An account key; leave empty to use managed identity (DefaultAzureCredential).</summary>
    public string? Key { get; set; }

    public CosmosReadMode ReadMode { get; set; } = CosmosReadMode.PointRead;

    /// <summary>Create the database and containers at start-up (needs a key; in Azure the deployment creates them).</summary>
    public bool CreateIfNotExists { get; set; }
}

/// <summary>TokenTally:Storage — blobs (archive, dead letters).</summary>
public sealed class StorageAccountOptions
{
    public const string Section = "TokenTally:Storage";

    /// <summary>https://&lt;account&gt;.blob.core.windows.net, used with managed identity.</summary>
    public string? BlobServiceUri { get; set; }

    /// <summary>A connection string with an account key (Azurite); takes precedence over the URI.</summary>
    public string? ConnectionString { get; set; }
}

public static class AzureStores
{
    /// <summary>Cosmos DB for documents and Blob Storage for blobs, with managed identity unless a key is configured.</summary>
    public static IServiceCollection AddAzureStores(this IServiceCollection services)
    {
        services.AddOptions<CosmosOptions>().BindConfiguration(CosmosOptions.Section).ValidateOnStart();
        services.AddOptions<StorageAccountOptions>().BindConfiguration(StorageAccountOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CosmosOptions>, CosmosOptionsValidator>();
        services.AddSingleton<IValidateOptions<StorageAccountOptions>, StorageAccountOptionsValidator>();
        services.AddSingleton<TokenCredential>(_ => new DefaultAzureCredential());
        services.AddHttpClient(nameof(AzureStores));
        services.AddSingleton(sp =>
        {
            var cosmos = sp.GetRequiredService<IOptions<CosmosOptions>>().Value;
            var clientOptions = new CosmosClientOptions { ConnectionMode = ConnectionMode.Gateway, ApplicationName = "tokentally" };
            return string.IsNullOrWhiteSpace(cosmos.Key)
                ? new CosmosClient(cosmos.Endpoint, sp.GetRequiredService<TokenCredential>(), clientOptions)
                : new CosmosClient(cosmos.Endpoint, cosmos.Key, clientOptions);
        });
        services.AddSingleton<IDocumentStore>(sp =>
        {
            var cosmos = sp.GetRequiredService<IOptions<CosmosOptions>>().Value;
            return new CosmosDocumentStore(sp.GetRequiredService<CosmosClient>(), cosmos.Database, cosmos.ReadMode);
        });
        services.AddSingleton<IBlobStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageAccountOptions>>().Value;
            var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(AzureStores));
            var time = sp.GetRequiredService<TimeProvider>();
            if (!string.IsNullOrWhiteSpace(options.ConnectionString))
            {
                var account = StorageConnectionString.Parse(options.ConnectionString);
                return new AzureBlobStore(http, account.BlobEndpoint, account.Credential, time);
            }

            return new AzureBlobStore(http, new Uri(options.BlobServiceUri!), StorageCredential.FromTokenCredential(sp.GetRequiredService<TokenCredential>()), time);
        });
        services.AddHostedService<CosmosContainersInitializer>();
        return services;
    }

    /// <summary>
    /// Creates the Cosmos database and containers at start-up when TokenTally:Cosmos:CreateIfNotExists is set. The store is
    /// resolved when it starts, not when hosted services are built: options validation runs in between and names every
    /// invalid setting, where building the store first would stop at the first.
    /// </summary>
    private sealed class CosmosContainersInitializer(IServiceProvider services, IOptions<CosmosOptions> cosmos) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            if (cosmos.Value.CreateIfNotExists && services.GetRequiredService<IDocumentStore>() is CosmosDocumentStore cosmosStore)
            {
                await cosmosStore.EnsureCreatedAsync(cancellationToken);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>Every missing or malformed setting is named by its full path.</summary>
internal sealed class CosmosOptionsValidator : IValidateOptions<CosmosOptions>
{
    public ValidateOptionsResult Validate(string? name, CosmosOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Endpoint))
        {
            return ValidateOptionsResult.Fail("TokenTally:Cosmos:Endpoint is required (app setting TokenTally__Cosmos__Endpoint), e.g. https://<account>.documents.azure.com:443/.");
        }

        if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            return ValidateOptionsResult.Fail($"TokenTally:Cosmos:Endpoint must be an absolute https URL; '{options.Endpoint}' is not.");
        }

        return string.IsNullOrWhiteSpace(options.Database)
            ? ValidateOptionsResult.Fail("TokenTally:Cosmos:Database must not be empty.")
            : ValidateOptionsResult.Success;
    }
}

internal sealed class StorageAccountOptionsValidator : IValidateOptions<StorageAccountOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageAccountOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Success;
        }

        if (string.IsNullOrWhiteSpace(options.BlobServiceUri))
        {
            return ValidateOptionsResult.Fail("TokenTally:Storage:BlobServiceUri is required (app setting TokenTally__Storage__BlobServiceUri), e.g. https://<account>.blob.core.windows.net, or TokenTally:Storage:ConnectionString.");
        }

        return Uri.TryCreate(options.BlobServiceUri, UriKind.Absolute, out _)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"TokenTally:Storage:BlobServiceUri must be an absolute URL; '{options.BlobServiceUri}' is not.");
    }
}
