using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace TokenTally.Storage.Blobs;

/// <summary><see cref="IBlobStore"/> on Azure Blob Storage (block blobs, whole-object puts). Containers are created on first write.</summary>
/// <param name="service">The account, with managed identity in Azure or a connection string for Azurite.</param>
/// <param name="maxResultsPerPage">Page size for listing; null for the service default (5000).</param>
public sealed class AzureBlobStore(BlobServiceClient service, int? maxResultsPerPage = null) : IBlobStore
{
    private readonly ConcurrentDictionary<BlobContainer, bool> _createdContainers = new();

    public async Task<bool> PutAsync(BlobContainer container, string name, ReadOnlyMemory<byte> content, bool overwrite, CancellationToken cancellationToken)
    {
        BlobNames.Validate(name);
        var client = await ContainerAsync(container, cancellationToken);
        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = ContentTypeOf(name) },
            Conditions = overwrite ? null : new BlobRequestConditions { IfNoneMatch = ETag.All },
        };
        try
        {
            await client.GetBlobClient(name).UploadAsync(new BinaryData(content), options, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (!overwrite && (e.ErrorCode == BlobErrorCode.BlobAlreadyExists || e.Status == (int)HttpStatusCode.PreconditionFailed))
        {
            return false;
        }
    }

    public async Task<byte[]?> GetAsync(BlobContainer container, string name, CancellationToken cancellationToken)
    {
        BlobNames.Validate(name);
        try
        {
            var download = await Container(container).GetBlobClient(name).DownloadContentAsync(cancellationToken);
            return download.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async IAsyncEnumerable<BlobInfo> ListAsync(BlobContainer container, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var pages = Container(container).GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix.Length > 0 ? prefix : null, cancellationToken).AsPages(pageSizeHint: maxResultsPerPage);
        await using var page = pages.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await page.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ContainerNotFound)
            {
                yield break;
            }

            foreach (var blob in page.Current.Values)
            {
                yield return new BlobInfo(blob.Name, blob.Properties.ContentLength ?? 0);
            }
        }
    }

    public async Task<bool> DeleteAsync(BlobContainer container, string name, CancellationToken cancellationToken)
    {
        BlobNames.Validate(name);
        try
        {
            return await Container(container).GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            return false;
        }
    }

    internal static string ContentTypeOf(string name) => Path.GetExtension(name).ToUpperInvariant() switch
    {
        ".JSON" => "application/json",
        ".NDJSON" => "application/x-ndjson",
        ".GZ" => "application/gzip",
        _ => "application/octet-stream",
    };

    private BlobContainerClient Container(BlobContainer container) => service.GetBlobContainerClient(BlobContainerNames.Of(container));

    private async Task<BlobContainerClient> ContainerAsync(BlobContainer container, CancellationToken cancellationToken)
    {
        var client = Container(container);
        if (!_createdContainers.ContainsKey(container))
        {
            await client.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            _createdContainers[container] = true;
        }

        return client;
    }
}
