using System.Net;
using TokenTally.Storage.AzureStorage;
using TokenTally.Storage.Blobs;
using TokenTally.Testing;

namespace TokenTally.Storage.Tests.Blobs;

/// <summary>The Azure Blob adapter with Shared Key signing against Azurite, paging with a small page size.</summary>
public sealed class AzuriteBlobStoreContract(AzuriteFixture azurite) : BlobStoreContract
{
    private static readonly HttpClient Http = new();

    protected override IBlobStore CreateStore() =>
        new AzureBlobStore(Http, azurite.BlobServiceUri, StorageCredential.FromSharedKey(AzuriteFixture.AccountName, AzuriteFixture.AccountKey), TimeProvider.System, maxResultsPerPage: SmallPageSize);

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

        var client = new StorageRestClient(Http, azurite.BlobServiceUri, StorageCredential.FromSharedKey(AzuriteFixture.AccountName, AzuriteFixture.AccountKey), TimeProvider.System);
        using var request = new HttpRequestMessage(HttpMethod.Head, client.Resource("archive/" + StorageRestClient.EscapePath(name)));
        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ListFollowsTheContinuationMarkerPageByPage()
    {
        using var counter = new RequestCounter();
        using var http = new HttpClient(counter);
        var store = new AzureBlobStore(http, azurite.BlobServiceUri, StorageCredential.FromSharedKey(AzuriteFixture.AccountName, AzuriteFixture.AccountKey), TimeProvider.System, maxResultsPerPage: 2);
        var prefix = UniquePrefix();
        foreach (var i in Enumerable.Range(0, 5))
        {
            await store.PutAsync(BlobContainer.Archive, $"{prefix}{i}", "x"u8.ToArray(), overwrite: false, Ct);
        }

        var listed = await List(store, BlobContainer.Archive, prefix);

        Assert.Equal(5, listed.Count);
        Assert.Equal(3, counter.Count(r => r.Method == HttpMethod.Get && r.Uri.Query.Contains("comp=list", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AWrongAccountKeyIsRejectedWithoutRevealingTheKey()
    {
        var wrongKey = Convert.ToBase64String(new byte[64]);
        var store = new AzureBlobStore(Http, azurite.BlobServiceUri, StorageCredential.FromSharedKey(AzuriteFixture.AccountName, wrongKey), TimeProvider.System);

        var error = await Assert.ThrowsAsync<AzureStorageException>(() => store.GetAsync(BlobContainer.Archive, UniquePrefix() + "a.json", Ct));

        Assert.Equal(HttpStatusCode.Forbidden, error.Status);
        // Azure answers AuthenticationFailed; Azurite answers AuthorizationFailure.
        Assert.Contains(error.ErrorCode, (string[])["AuthenticationFailed", "AuthorizationFailure"]);
        Assert.DoesNotContain(wrongKey, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(AzuriteFixture.AccountKey, error.ToString(), StringComparison.Ordinal);
    }

    private sealed class RequestCounter() : DelegatingHandler(new HttpClientHandler())
    {
        private readonly List<(HttpMethod Method, Uri Uri)> _requests = [];

        public int Count(Func<(HttpMethod Method, Uri Uri), bool> predicate)
        {
            lock (_requests)
            {
                return _requests.Count(predicate);
            }
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (_requests)
            {
                _requests.Add((request.Method, request.RequestUri!));
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
