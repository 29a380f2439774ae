using System.Globalization;
using System.Net;
using System.Text;

namespace TokenTally.Storage.AzureStorage;

/// <summary>
/// The shared REST core of the Blob and Queue adapters: builds resource URIs under a service
/// endpoint, stamps x-ms-version and x-ms-date, authorizes, sends, and turns failures into
/// <see cref="AzureStorageException"/>.
/// </summary>
internal sealed class StorageRestClient
{
    /// <summary>The REST API version every request asks for (supported by Azure and Azurite 3.x).</summary>
    public const string ApiVersion = "2021-12-02";

    private readonly HttpClient _http;
    private readonly string _serviceRoot;
    private readonly StorageCredential _credential;
    private readonly TimeProvider _timeProvider;

    public StorageRestClient(HttpClient httpClient, Uri serviceUri, StorageCredential credential, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(serviceUri);
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (!serviceUri.IsAbsoluteUri || serviceUri.Scheme is not ("https" or "http") || serviceUri.Query.Length > 0)
        {
            throw new ArgumentException("The storage service URI must be an absolute http(s) URI without a query, e.g. https://account.blob.core.windows.net.", nameof(serviceUri));
        }

        _http = httpClient;
        _serviceRoot = serviceUri.GetLeftPart(UriPartial.Path).TrimEnd('/');
        _credential = credential;
        _timeProvider = timeProvider;
    }

    /// <summary>Escapes each '/'-separated segment of a resource path.</summary>
    public static string EscapePath(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    /// <summary>A resource URI: <paramref name="escapedPath"/> under the service root, with the given query parameters.</summary>
    public Uri Resource(string escapedPath, params ReadOnlySpan<(string Name, string? Value)> query)
    {
        var builder = new StringBuilder(_serviceRoot).Append('/').Append(escapedPath);
        var separator = '?';
        foreach (var (name, value) in query)
        {
            if (value is null)
            {
                continue;
            }

            builder.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }

        return new Uri(builder.ToString());
    }

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.TryAddWithoutValidation("x-ms-version", ApiVersion);
        request.Headers.TryAddWithoutValidation("x-ms-date", _timeProvider.GetUtcNow().ToString("R", CultureInfo.InvariantCulture));
        await _credential.AuthorizeAsync(request, _timeProvider, cancellationToken);
        return await _http.SendAsync(request, cancellationToken);
    }

    public static string? ErrorCode(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-ms-error-code", out var values) ? values.FirstOrDefault() : null;

    public static bool Is(HttpResponseMessage response, HttpStatusCode status, string? errorCode = null) =>
        response.StatusCode == status && (errorCode is null || ErrorCode(response) == errorCode);

    public static AzureStorageException Failure(HttpResponseMessage response, string operation) =>
        new(operation, response.StatusCode, ErrorCode(response),
            response.Headers.TryGetValues("x-ms-request-id", out var ids) ? ids.FirstOrDefault() : null);
}
