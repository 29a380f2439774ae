using System.Net;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using TokenTally.Storage.Blobs;
using TokenTally.Testing;

namespace TokenTally.Storage.Tests.Blobs;

/// <summary>The Azure Blob adapter (Azure.Storage.Blobs) against Azurite with a connection string, paging with a small page size.</summary>
public sealed class AzuriteBlobStoreContract(AzuriteFixture azurite) : BlobStoreContract
{
    protected override IBlobStore CreateStore() => new AzureBlobStore(new BlobServiceClient(azurite.ConnectionString), maxResultsPerPage: SmallPageSize);

    [Theory]
    [InlineData("a.json", "application/json")]
    [InlineData("a.ndjson", "application/x-ndjson")]
    [InlineData("a.ndjson.gz", "application/gzip")]
    [InlineData("a.JSON", "application/json")]
    [InlineData("a.bin", "application/octet-stream")]
    [InlineData("no-extension", "application/octet-stream")]
    public async Task PutSetsTheContentTypeFromTheNameExtension(string suffix, string contentType)
    {
        var name = UniquePrefix() + suffix;
        await CreateSut().PutAsync(BlobContainer.Archive, name, "x"u8.ToArray(), overwrite: false, Ct);

        var properties = await new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("archive").GetBlobClient(name).GetPropertiesAsync(cancellationToken: Ct);

        Assert.Equal(contentType, properties.Value.ContentType);
    }

    [Fact]
    public async Task ListFollowsTheContinuationMarkerPageByPage()
    {
        var counter = new ListRequestCounter();
        var options = new BlobClientOptions();
        options.AddPolicy(counter, HttpPipelinePosition.PerCall);
        var store = new AzureBlobStore(new BlobServiceClient(azurite.ConnectionString, options), maxResultsPerPage: 2);
        var prefix = UniquePrefix();
        foreach (var i in Enumerable.Range(0, 5))
        {
            await store.PutAsync(BlobContainer.Archive, $"{prefix}{i}", "x"u8.ToArray(), overwrite: false, Ct);
        }

        var listed = await List(store, BlobContainer.Archive, prefix);

        Assert.Equal(5, listed.Count);
        Assert.Equal(3, counter.Count);
    }

    [Fact]
    public async Task AWrongAccountKeyIsRejectedWithoutRevealingTheKey()
    {
        var wrongKey = Convert.ToBase64String(new byte[64]);
        var store = new AzureBlobStore(new BlobServiceClient(azurite.ConnectionString.Replace(AzuriteFixture.AccountKey, wrongKey, StringComparison.Ordinal)));

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => store.GetAsync(BlobContainer.Archive, UniquePrefix() + "a.json", Ct));

        Assert.Equal((int)HttpStatusCode.Forbidden, error.Status);
        Assert.DoesNotContain(wrongKey, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(AzuriteFixture.AccountKey, error.ToString(), StringComparison.Ordinal);
    }

    private sealed class ListRequestCounter : HttpPipelineSynchronousPolicy
    {
        private int _count;

        public int Count => _count;

        public override void OnSendingRequest(HttpMessage message)
        {
            if (message.Request.Uri.Query.Contains("comp=list", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _count);
            }
        }
    }
}
