namespace TokenTally.Testing;

/// <summary>Settings for running the contract suites against real Azure resources, read from the environment.</summary>
public static class RealEndpoint
{
    /// <summary>Cosmos DB endpoint (https://…documents.azure.com:443/); with no key, DefaultAzureCredential is used.</summary>
    public static string? CosmosEndpoint => Get("TOKENTALLY_TEST_COSMOS_ENDPOINT");

    public static string? CosmosKey => Get("TOKENTALLY_TEST_COSMOS_KEY");

    /// <summary>A storage account's blob endpoint (https://acct.blob.core.windows.net); DefaultAzureCredential is used.</summary>
    public static string? BlobServiceUri => Get("TOKENTALLY_TEST_BLOB_URI");

    /// <summary>A storage account's queue endpoint (https://acct.queue.core.windows.net); DefaultAzureCredential is used.</summary>
    public static string? QueueServiceUri => Get("TOKENTALLY_TEST_QUEUE_URI");

    public const string CosmosSkipReason = "No real Cosmos DB endpoint: set TOKENTALLY_TEST_COSMOS_ENDPOINT (and optionally TOKENTALLY_TEST_COSMOS_KEY) to run this suite against one.";

    public const string BlobSkipReason = "No real Azure Blob endpoint: set TOKENTALLY_TEST_BLOB_URI to run this suite against one.";

    public const string QueueSkipReason = "No real Azure Queue endpoint: set TOKENTALLY_TEST_QUEUE_URI to run this suite against one.";

    private static string? Get(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
