using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Azure.Core;
using Microsoft.Extensions.Options;

namespace TokenTally.Application.Export;

/// <summary>
/// Posts records to the Azure Monitor Logs Ingestion API (REST; no SDK for it is on our feed): JSON arrays of at most
/// <see cref="LogsIngestionOptions.MaxRequestBytes"/> each, optionally gzipped, with an Entra ID bearer token; 429 and 5xx
/// answers and network failures are retried, honouring Retry-After. Any other failure throws
/// <see cref="LogsIngestionException"/>, which names the status but never the token.
/// </summary>
public sealed partial class LogsIngestionClient(
    IHttpClientFactory clients, IOptions<LogsIngestionOptions> options, TimeProvider time, ILogger<LogsIngestionClient> logger, TokenCredential? credential = null)
{
    public const string ClientName = "tokentally-logs-ingestion";

    /// <summary>Sends <paramref name="records"/>; returns the number of requests it took.</summary>
    public async Task<int> SendAsync<T>(IReadOnlyList<T> records, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (credential is null)
        {
            throw new InvalidOperationException($"{LogsIngestionOptions.Section} is set, but this host has no Entra ID credential.");
        }

        var requests = 0;
        foreach (var body in Batch(records, settings.MaxRequestBytes))
        {
            await PostAsync(settings, credential, body, cancellationToken);
            requests++;
        }

        return requests;
    }

    /// <summary>JSON arrays of the records, each at most <paramref name="maxBytes"/> long (a record longer than that throws).</summary>
    public static IEnumerable<byte[]> Batch<T>(IReadOnlyList<T> records, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(records);
        using var batch = new MemoryStream();
        foreach (var record in records)
        {
            // Default options: property names as declared (the table's column names), nulls written.
            var bytes = JsonSerializer.SerializeToUtf8Bytes(record);
            if (bytes.Length + 2 > maxBytes)
            {
                throw new LogsIngestionException($"A record of {bytes.Length} bytes does not fit in a request of {maxBytes} bytes.");
            }

            // The array's bytes so far, the separator, the record and the closing bracket.
            if (batch.Length > 0 && batch.Length + 1 + bytes.Length + 1 > maxBytes)
            {
                batch.WriteByte((byte)']');
                yield return batch.ToArray();
                batch.SetLength(0);
            }

            batch.WriteByte(batch.Length == 0 ? (byte)'[' : (byte)',');
            batch.Write(bytes);
        }

        if (batch.Length > 0)
        {
            batch.WriteByte((byte)']');
            yield return batch.ToArray();
        }
    }

    private async Task PostAsync(LogsIngestionOptions settings, TokenCredential credential, byte[] json, CancellationToken cancellationToken)
    {
        var content = settings.Gzip ? Compress(json) : json;
        var client = clients.CreateClient(ClientName);
        for (var attempt = 1; ; attempt++)
        {
            var token = await credential.GetTokenAsync(new TokenRequestContext([settings.Scope]), cancellationToken);
            using var request = new HttpRequestMessage(HttpMethod.Post, settings.StreamUri()) { Content = new ByteArrayContent(content) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
            request.Headers.Add("x-ms-client-request-id", Guid.NewGuid().ToString());
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            if (settings.Gzip)
            {
                request.Content.Headers.ContentEncoding.Add("gzip");
            }

            TimeSpan? retryAfter;
            string failure;
            try
            {
                using var response = await client.SendAsync(request, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                failure = $"{(int)response.StatusCode} {response.ReasonPhrase}";
                if (!Retryable(response.StatusCode))
                {
                    throw new LogsIngestionException($"The Logs Ingestion API answered {failure}: {await ErrorCodeAsync(response, cancellationToken)}.");
                }

                retryAfter = RetryAfter(response.Headers.RetryAfter);
            }
            catch (HttpRequestException e)
            {
                failure = e.HttpRequestError.ToString();
                retryAfter = null;
            }

            if (attempt >= settings.MaxAttempts)
            {
                throw new LogsIngestionException($"The Logs Ingestion API failed {attempt} times; last: {failure}.");
            }

            var delay = retryAfter ?? settings.FirstRetryDelay * Math.Pow(2, attempt - 1);
            LogRetry(logger, attempt, failure, delay);
            await Task.Delay(delay, time, cancellationToken);
        }
    }

    private static bool Retryable(HttpStatusCode status) => status == HttpStatusCode.TooManyRequests || (int)status >= 500;

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is { Ticks: > 0 } wait ? wait : TimeSpan.Zero,
        _ => null,
    };

    /// <summary>The error code of the API's JSON error body, not the body itself (it may echo what was sent).</summary>
    private static async Task<string> ErrorCodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return document.RootElement.TryGetProperty("error", out var error) && error.TryGetProperty("code", out var code) ? code.ToString() : "no error code";
        }
        catch (JsonException)
        {
            return "no error code";
        }
    }

    private static byte[] Compress(byte[] json)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(json);
        }

        return buffer.ToArray();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Logs Ingestion request attempt {Attempt} failed ({Failure}); retrying in {Delay}")]
    private static partial void LogRetry(ILogger logger, int attempt, string failure, TimeSpan delay);
}

/// <summary>The Logs Ingestion API refused the records or kept failing.</summary>
public sealed class LogsIngestionException(string message) : Exception(message);
