using Azure.Identity;
using Azure.Storage.Blobs;
using TokenTally.Storage.Blobs;
using TokenTally.Testing;

namespace TokenTally.Storage.Tests.Blobs;

/// <summary>The Azure Blob adapter against a real storage account with DefaultAzureCredential; skipped unless TOKENTALLY_TEST_BLOB_URI is set.</summary>
public sealed class AzureBlobStoreContract : BlobStoreContract
{
    protected override IBlobStore CreateStore()
    {
        var uri = RealEndpoint.BlobServiceUri;
        if (uri is null)
        {
            Assert.Skip(RealEndpoint.BlobSkipReason);
        }

        return new AzureBlobStore(new BlobServiceClient(new Uri(uri), new DefaultAzureCredential()), maxResultsPerPage: SmallPageSize);
    }
}
