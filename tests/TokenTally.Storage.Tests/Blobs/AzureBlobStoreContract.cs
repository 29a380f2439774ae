using Azure.Identity;
using TokenTally.Storage.AzureStorage;
using TokenTally.Storage.Blobs;
using TokenTally.Testing;

namespace TokenTally.Storage.Tests.Blobs;

/// <summary>The Azure Blob adapter against a real storage account with DefaultAzureCredential; skipped unless TOKENTALLY_TEST_BLOB_URI is set.</summary>
public sealed class AzureBlobStoreContract : BlobStoreContract
{
    private static readonly HttpClient Http = new();
    private static readonly Lazy<StorageCredential> Credential = new(() => StorageCredential.FromTokenCredential(new DefaultAzureCredential()));

    protected override IBlobStore CreateStore()
    {
        var uri = RealEndpoint.BlobServiceUri;
        if (uri is null)
        {
            Assert.Skip(RealEndpoint.BlobSkipReason);
        }

        return new AzureBlobStore(Http, new Uri(uri), Credential.Value, TimeProvider.System, maxResultsPerPage: SmallPageSize);
    }
}
