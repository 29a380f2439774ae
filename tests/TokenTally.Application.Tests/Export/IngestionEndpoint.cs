using System.IO.Compression;
using System.Text.Json.Nodes;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Export;

/// <summary>
/// A loopback stand-in for the Logs Ingestion API: records every request (body unzipped) and answers with the scripted
/// statuses in order, then 204 as the API does.
/// </summary>
internal sealed class IngestionEndpoint : IDisposable
{
    private readonly RecordingHttpListener _listener = new(defaultStatus: 204);

    public string BaseAddress => _listener.BaseAddress.TrimEnd('/');

    public IReadOnlyList<IngestionRequest> Requests => _listener.Requests.Select(IngestionRequest.Of).ToList();

    /// <summary>Answers the next request with <paramref name="status"/> (and a Retry-After header when given).</summary>
    public void ThenAnswer(int status, string? retryAfter = null) => _listener.ThenAnswer(status, retryAfter);

    public void Dispose() => _listener.Dispose();
}

internal sealed record IngestionRequest(
    string Method, string Path, string Query, string? Authorization, string? ContentType, string? ContentEncoding, long SentBytes, byte[] Body, DateTimeOffset At)
{
    public JsonArray Records => (JsonArray)JsonNode.Parse(Body)!;

    public static IngestionRequest Of(RecordedRequest request)
    {
        var encoding = request.Header("Content-Encoding");
        return new IngestionRequest(
            request.Method, request.Path, request.Query, request.Header("Authorization"), request.ContentType, encoding, request.Body.Length,
            encoding == "gzip" ? Unzip(request.Body) : request.Body, request.At);
    }

    private static byte[] Unzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress))
        {
            gzip.CopyTo(output);
        }

        return output.ToArray();
    }
}
