using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Xml.Linq;
using TokenTally.Storage.Blobs;

namespace TokenTally.Storage.AzureStorage;

/// <summary>
/// <see cref="IBlobStore"/> over the Azure Blob Storage REST API (block blobs, whole-object puts).
/// Containers are created on first use.
/// </summary>
public sealed class AzureBlobStore : IBlobStore
{
    private readonly StorageRestClient _client;
    private readonly int? _maxResultsPerPage;
    private readonly ConcurrentDictionary<BlobContainer, bool> _createdContainers = new();

    /// <param name="httpClient">Used for every request; its lifetime belongs to the caller.</param>
    /// <param name="serviceUri">The blob service endpoint: https://account.blob.core.windows.net, or http://127.0.0.1:10000/devstoreaccount1 for Azurite.</param>
    /// <param name="credential">Token (managed identity) or shared key.</param>
    /// <param name="timeProvider">Supplies x-ms-date and token expiry checks.</param>
    /// <param name="maxResultsPerPage">Page size for List Blobs; null for the service default (5000).</param>
    public AzureBlobStore(HttpClient httpClient, Uri serviceUri, StorageCredential credential, TimeProvider timeProvider, int? maxResultsPerPage = null)
    {
        if (maxResultsPerPage is { } max)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(max, 1, nameof(maxResultsPerPage));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(max, 5000, nameof(maxResultsPerPage));
        }

        _client = new StorageRestClient(httpClient, serviceUri, credential, timeProvider);
        _maxResultsPerPage = maxResultsPerPage;
    }

    public async Task<bool> PutAsync(BlobContainer container, string name, ReadOnlyMemory<byte> content, bool overwrite, CancellationToken cancellationToken)
    {
        BlobNames.Validate(name);
        await EnsureContainerAsync(container, cancellationToken);

        using var request = new HttpRequestMessage(HttpMethod.Put, BlobUri(container, name));
        request.Content = new ReadOnlyMemoryContent(content);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(ContentTypeOf(name));
        request.Content.Headers.ContentLength = content.Length;
        request.Headers.TryAddWithoutValidation("x-ms-blob-type", "BlockBlob");
        if (!overwrite)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", "*");
        }

        using var response = await _client.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return true;
        }

        if (!overwrite && (StorageRestClient.Is(response, HttpStatusCode.Conflict, "BlobAlreadyExists") || response.StatusCode == HttpStatusCode.PreconditionFailed))
        {
            return false;
        }

        throw StorageRestClient.Failure(response, Describe("Put Blob", container, name));
    }

    public async Task<byte[]?> GetAsync(BlobContainer container, string name, CancellationToken cancellationToken)
    {
        BlobNames.Validate(name);
        using var request = new HttpRequestMessage(HttpMethod.Get, BlobUri(container, name));
        using var response = await _client.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        return response.IsSuccessStatusCode
            ? await response.Content.ReadAsByteArrayAsync(cancellationToken)
            : throw StorageRestClient.Failure(response, Describe("Get Blob", container, name));
    }

    public async IAsyncEnumerable<BlobInfo> ListAsync(BlobContainer container, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        string? marker = null;
        do
        {
            var uri = _client.Resource(
                Uri.EscapeDataString(BlobContainerNames.Of(container)),
                ("restype", "container"),
                ("comp", "list"),
                ("prefix", prefix.Length > 0 ? prefix : null),
                ("marker", marker),
                ("maxresults", _maxResultsPerPage?.ToString(CultureInfo.InvariantCulture)));
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            using var response = await _client.SendAsync(request, cancellationToken);
            if (StorageRestClient.Is(response, HttpStatusCode.NotFound, "ContainerNotFound"))
            {
                yield break;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw StorageRestClient.Failure(response, $"List Blobs {BlobContainerNames.Of(container)}/{prefix}*");
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var page = await XDocument.LoadAsync(body, LoadOptions.None, cancellationToken);
            var root = page.Root ?? throw new InvalidDataException("List Blobs returned an empty document.");
            foreach (var blob in root.Element("Blobs")?.Elements("Blob") ?? [])
            {
                yield return new BlobInfo(BlobName(blob), long.Parse(blob.Element("Properties")?.Element("Content-Length")?.Value ?? "0", CultureInfo.InvariantCulture));
            }

            marker = root.Element("NextMarker")?.Value is { Length: > 0 } next ? next : null;
        }
        while (marker is not null);
    }

    public async Task<bool> DeleteAsync(BlobContainer container, string name, CancellationToken cancellationToken)
    {
        BlobNames.Validate(name);
        using var request = new HttpRequestMessage(HttpMethod.Delete, BlobUri(container, name));
        using var response = await _client.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        return response.IsSuccessStatusCode
            ? true
            : throw StorageRestClient.Failure(response, Describe("Delete Blob", container, name));
    }

    internal static string ContentTypeOf(string name) => Path.GetExtension(name).ToUpperInvariant() switch
    {
        ".JSON" => "application/json",
        ".NDJSON" => "application/x-ndjson",
        ".GZ" => "application/gzip",
        _ => "application/octet-stream",
    };

    private async Task EnsureContainerAsync(BlobContainer container, CancellationToken cancellationToken)
    {
        if (_createdContainers.ContainsKey(container))
        {
            return;
        }

        using var request = new HttpRequestMessage(HttpMethod.Put, _client.Resource(Uri.EscapeDataString(BlobContainerNames.Of(container)), ("restype", "container")));
        using var response = await _client.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode && !StorageRestClient.Is(response, HttpStatusCode.Conflict, "ContainerAlreadyExists"))
        {
            throw StorageRestClient.Failure(response, $"Create Container {BlobContainerNames.Of(container)}");
        }

        _createdContainers[container] = true;
    }

    private Uri BlobUri(BlobContainer container, string name) =>
        _client.Resource(Uri.EscapeDataString(BlobContainerNames.Of(container)) + "/" + StorageRestClient.EscapePath(name));

    // Names containing characters XML cannot carry come back URL-encoded with Encoded="true".
    private static string BlobName(XElement blob)
    {
        var name = blob.Element("Name") ?? throw new InvalidDataException("List Blobs returned a blob without a name.");
        return (string?)name.Attribute("Encoded") == "true" ? Uri.UnescapeDataString(name.Value) : name.Value;
    }

    private static string Describe(string operation, BlobContainer container, string name) =>
        $"{operation} {BlobContainerNames.Of(container)}/{name}";
}
