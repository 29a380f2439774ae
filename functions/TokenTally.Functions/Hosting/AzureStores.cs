using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TokenTally.Storage.Blobs;
using TokenTally.Storage.Cosmos;
using TokenTally.Storage.Documents;
using TokenTally.Storage.Tables;

namespace TokenTally.Functions.Hosting;

/// <summary>Where a document container lives in Azure.</summary>
public enum DocumentBackend
{
    Tables,
    Cosmos,
}

/// <summary>
/// TokenTally:Documents — the storage split. The defaults follow the cost estimate in the README: the key-addressed,
/// high-volume data in Table Storage, the documents that need queries (traces) in Cosmos DB.
/// </summary>
public sealed class DocumentPlacementOptions
{
    public const string Section = "TokenTally:Documents";

    public DocumentBackend Calls { get; set; } = DocumentBackend.Tables;

    public DocumentBackend Rollups { get; set; } = DocumentBackend.Tables;

    public DocumentBackend Config { get; set; } = DocumentBackend.Tables;

    public DocumentBackend Runs { get; set; } = DocumentBackend.Tables;

    public DocumentBackend Traces { get; set; } = DocumentBackend.Cosmos;

    public DocumentBackend BackendOf(DocumentContainer container) => container switch
    {
        DocumentContainer.Calls => Calls,
        DocumentContainer.Rollups => Rollups,
        DocumentContainer.Config => Config,
        DocumentContainer.Runs => Runs,
        DocumentContainer.Traces => Traces,
        _ => throw new ArgumentOutOfRangeException(nameof(container), container, "Unknown container."),
    };

    public bool Uses(DocumentBackend backend) => Enum.GetValues<DocumentContainer>().Any(c => BackendOf(c) == backend);
}

/// <summary>TokenTally:Cosmos — the documents placed in Cosmos DB.</summary>
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

/// <summary>TokenTally:Storage — the storage account: blobs (archive, dead letters) and the tables the documents placed in Table Storage live in.</summary>
public sealed class StorageAccountOptions
{
    public const string Section = "TokenTally:Storage";

    /// <summary>https://&lt;account&gt;.blob.core.windows.net, used with managed identity.</summary>
    public string? BlobServiceUri { get; set; }

    /// <summary>https://&lt;account&gt;.table.core.windows.net, used with managed identity.</summary>
    public string? TableServiceUri { get; set; }

    /// <summary>A connection string with an account key (Azurite); takes precedence over the URIs.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Letters and digits put before each table's name, so that several apps can share an account.</summary>
    public string TablePrefix { get; set; } = string.Empty;

    /// <summary>Create the tables at start-up (in Azure the deployment creates them).</summary>
    public bool CreateTablesIfNotExists { get; set; }
}

public static class AzureStores
{
    /// <summary>Table Storage, Cosmos DB and Blob Storage, each container where TokenTally:Documents places it, with managed identity unless a key is configured.</summary>
    public static IServiceCollection AddAzureStores(this IServiceCollection services)
    {
        services.AddOptions<DocumentPlacementOptions>().BindConfiguration(DocumentPlacementOptions.Section).ValidateOnStart();
        services.AddOptions<CosmosOptions>().BindConfiguration(CosmosOptions.Section).ValidateOnStart();
        services.AddOptions<StorageAccountOptions>().BindConfiguration(StorageAccountOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CosmosOptions>, CosmosOptionsValidator>();
        services.AddSingleton<IValidateOptions<StorageAccountOptions>, StorageAccountOptionsValidator>();
        services.AddSingleton<TokenCredential>(_ => new DefaultAzureCredential());
        services.AddSingleton(sp =>
        {
            var cosmos = sp.GetRequiredService<IOptions<CosmosOptions>>().Value;
            var clientOptions = new CosmosClientOptions { ConnectionMode = ConnectionMode.Gateway, ApplicationName = "tokentally" };
            return string.IsNullOrWhiteSpace(cosmos.Key)
                ? new CosmosClient(cosmos.Endpoint, sp.GetRequiredService<TokenCredential>(), clientOptions)
                : new CosmosClient(cosmos.Endpoint, cosmos.Key, clientOptions);
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageAccountOptions>>().Value;
            return string.IsNullOrWhiteSpace(options.ConnectionString)
                ? new TableServiceClient(new Uri(options.TableServiceUri!), sp.GetRequiredService<TokenCredential>())
                : new TableServiceClient(options.ConnectionString);
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageAccountOptions>>().Value;
            return string.IsNullOrWhiteSpace(options.ConnectionString)
                ? new BlobServiceClient(new Uri(options.BlobServiceUri!), sp.GetRequiredService<TokenCredential>())
                : new BlobServiceClient(options.ConnectionString);
        });
        services.AddSingleton(sp => new TableDocumentStore(
            sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<StorageAccountOptions>>().Value.TablePrefix));
        services.AddSingleton(sp =>
        {
            var cosmos = sp.GetRequiredService<IOptions<CosmosOptions>>().Value;
            return new CosmosDocumentStore(sp.GetRequiredService<CosmosClient>(), cosmos.Database, cosmos.ReadMode);
        });
        services.AddSingleton(sp =>
        {
            var placement = sp.GetRequiredService<IOptions<DocumentPlacementOptions>>().Value;
            return new PlacedDocumentStore(Enum.GetValues<DocumentContainer>().ToDictionary(c => c, c => placement.BackendOf(c) == DocumentBackend.Cosmos
                ? (IDocumentStore)sp.GetRequiredService<CosmosDocumentStore>()
                : sp.GetRequiredService<TableDocumentStore>()));
        });
        services.AddSingleton<IDocumentStore>(sp => sp.GetRequiredService<PlacedDocumentStore>());

        // Table Storage has no TTL: the hour run's purge deletes what has expired. Cosmos DB expires items by itself.
        services.AddSingleton<IExpiringDocumentStore>(sp => sp.GetRequiredService<TableDocumentStore>());
        services.AddSingleton<IBlobStore>(sp => new AzureBlobStore(sp.GetRequiredService<BlobServiceClient>()));
        services.AddHostedService<StoresInitializer>();
        return services;
    }

    /// <summary>
    /// Creates the tables and the Cosmos database and containers at start-up when asked to. The stores are resolved when it
    /// starts, not when hosted services are built: options validation runs in between and names every invalid setting,
    /// where building a store first would stop at the first.
    /// </summary>
    private sealed class StoresInitializer(
        IServiceProvider services, IOptions<DocumentPlacementOptions> placement, IOptions<CosmosOptions> cosmos, IOptions<StorageAccountOptions> storage) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            if (storage.Value.CreateTablesIfNotExists && placement.Value.Uses(DocumentBackend.Tables))
            {
                await services.GetRequiredService<TableDocumentStore>().EnsureCreatedAsync(cancellationToken);
            }

            if (cosmos.Value.CreateIfNotExists && placement.Value.Uses(DocumentBackend.Cosmos))
            {
                await services.GetRequiredService<CosmosDocumentStore>().EnsureCreatedAsync(cancellationToken);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>Every missing or malformed setting is named by its full path; Cosmos DB settings only matter when a container is placed there.</summary>
internal sealed class CosmosOptionsValidator(IOptions<DocumentPlacementOptions> placement) : IValidateOptions<CosmosOptions>
{
    public ValidateOptionsResult Validate(string? name, CosmosOptions options)
    {
        if (!placement.Value.Uses(DocumentBackend.Cosmos))
        {
            return ValidateOptionsResult.Success;
        }

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

internal sealed class StorageAccountOptionsValidator(IOptions<DocumentPlacementOptions> placement) : IValidateOptions<StorageAccountOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageAccountOptions options)
    {
        var failures = new List<string>();
        if (!options.TablePrefix.All(char.IsAsciiLetterOrDigit) || (options.TablePrefix.Length > 0 && !char.IsAsciiLetter(options.TablePrefix[0])) || options.TablePrefix.Length > 40)
        {
            failures.Add($"TokenTally:Storage:TablePrefix must be at most 40 letters and digits, starting with a letter; '{options.TablePrefix}' is not.");
        }

        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            Require(options.BlobServiceUri, "BlobServiceUri", "blob");
            if (placement.Value.Uses(DocumentBackend.Tables))
            {
                Require(options.TableServiceUri, "TableServiceUri", "table");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Require(string? value, string setting, string service)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                failures.Add($"TokenTally:Storage:{setting} is required (app setting TokenTally__Storage__{setting}), e.g. https://<account>.{service}.core.windows.net, or TokenTally:Storage:ConnectionString.");
            }
            else if (!Uri.TryCreate(value, UriKind.Absolute, out _))
            {
                failures.Add($"TokenTally:Storage:{setting} must be an absolute URL; '{value}' is not.");
            }
        }
    }
}
