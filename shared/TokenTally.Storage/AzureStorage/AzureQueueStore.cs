using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;
using TokenTally.Storage.Queues;

namespace TokenTally.Storage.AzureStorage;

/// <summary>
/// <see cref="IMessageQueue"/> over the Azure Queue Storage REST API. Bodies travel base64-encoded
/// (UTF-8), which is what the Functions host's queue trigger expects by default. Queues are created
/// on first use.
/// </summary>
public sealed class AzureQueueStore : IMessageQueue
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly StorageRestClient _client;
    private readonly ConcurrentDictionary<string, bool> _createdQueues = new(StringComparer.Ordinal);

    /// <param name="httpClient">Used for every request; its lifetime belongs to the caller.</param>
    /// <param name="serviceUri">The queue service endpoint: https://account.queue.core.windows.net, or http://127.0.0.1:10001/devstoreaccount1 for Azurite.</param>
    /// <param name="credential">Token (managed identity) or shared key.</param>
    /// <param name="timeProvider">Supplies x-ms-date and token expiry checks.</param>
    public AzureQueueStore(HttpClient httpClient, Uri serviceUri, StorageCredential credential, TimeProvider timeProvider) =>
        _client = new StorageRestClient(httpClient, serviceUri, credential, timeProvider);

    public async Task SendAsync(string queue, string body, TimeSpan? initialDelay, CancellationToken cancellationToken)
    {
        QueueNames.Validate(queue);
        QueueMessageLimits.ValidateSend(body, initialDelay);
        await EnsureQueueAsync(queue, cancellationToken);

        var message = new XDocument(new XElement("QueueMessage", new XElement("MessageText", Convert.ToBase64String(Encoding.UTF8.GetBytes(body)))));
        using var request = new HttpRequestMessage(HttpMethod.Post, _client.Resource(
            queue + "/messages",
            ("visibilitytimeout", Seconds(initialDelay ?? TimeSpan.Zero)),
            ("messagettl", Seconds(QueueMessageLimits.TimeToLive))));
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(message.ToString(SaveOptions.DisableFormatting)));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/xml") { CharSet = "utf-8" };
        using var response = await _client.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw StorageRestClient.Failure(response, $"Put Message {queue}");
        }
    }

    public async Task<IReadOnlyList<QueueMessage>> ReceiveAsync(string queue, int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken)
    {
        QueueNames.Validate(queue);
        QueueMessageLimits.ValidateReceive(maxMessages, visibilityTimeout);
        await EnsureQueueAsync(queue, cancellationToken);

        using var request = new HttpRequestMessage(HttpMethod.Get, _client.Resource(
            queue + "/messages",
            ("numofmessages", maxMessages.ToString(CultureInfo.InvariantCulture)),
            ("visibilitytimeout", Seconds(visibilityTimeout))));
        using var response = await _client.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw StorageRestClient.Failure(response, $"Get Messages {queue}");
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var document = await XDocument.LoadAsync(stream, LoadOptions.None, cancellationToken);
        return (document.Root?.Elements("QueueMessage") ?? [])
            .Select(m => new QueueMessage(
                queue,
                Required(m, "MessageId"),
                DecodeBody(Required(m, "MessageText")),
                Required(m, "PopReceipt"),
                long.Parse(Required(m, "DequeueCount"), CultureInfo.InvariantCulture),
                Date(m, "InsertionTime"),
                Date(m, "ExpirationTime"),
                Date(m, "TimeNextVisible")))
            .ToList();
    }

    public async Task<bool> CompleteAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        QueueNames.Validate(message.Queue);
        using var request = new HttpRequestMessage(HttpMethod.Delete, _client.Resource(
            message.Queue + "/messages/" + Uri.EscapeDataString(message.Id),
            ("popreceipt", message.Receipt)));
        using var response = await _client.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return true;
        }

        // 404 MessageNotFound: already completed or expired; 400 PopReceiptMismatch: received again since.
        if (response.StatusCode == HttpStatusCode.NotFound || StorageRestClient.Is(response, HttpStatusCode.BadRequest, "PopReceiptMismatch"))
        {
            return false;
        }

        throw StorageRestClient.Failure(response, $"Delete Message {message.Queue}/{message.Id}");
    }

    public async Task<int> CountAsync(string queue, CancellationToken cancellationToken)
    {
        QueueNames.Validate(queue);
        await EnsureQueueAsync(queue, cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Get, _client.Resource(queue, ("comp", "metadata")));
        using var response = await _client.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw StorageRestClient.Failure(response, $"Get Queue Metadata {queue}");
        }

        return response.Headers.TryGetValues("x-ms-approximate-messages-count", out var values)
            && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
                ? count
                : throw new InvalidDataException($"Get Queue Metadata {queue} returned no x-ms-approximate-messages-count.");
    }

    private async Task EnsureQueueAsync(string queue, CancellationToken cancellationToken)
    {
        if (_createdQueues.ContainsKey(queue))
        {
            return;
        }

        // 201 created, 204 already there with the same (empty) metadata, 409 there with other metadata.
        using var request = new HttpRequestMessage(HttpMethod.Put, _client.Resource(queue));
        using var response = await _client.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode && !StorageRestClient.Is(response, HttpStatusCode.Conflict, "QueueAlreadyExists"))
        {
            throw StorageRestClient.Failure(response, $"Create Queue {queue}");
        }

        _createdQueues[queue] = true;
    }

    // Azure counts visibility in whole seconds; round up so a message is never visible early.
    private static string Seconds(TimeSpan value) =>
        ((long)Math.Ceiling(value.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    // Messages written by other tools may be plain text; a body that is not base64 UTF-8 is taken as is.
    private static string DecodeBody(string text)
    {
        var bytes = new byte[text.Length];
        if (!Convert.TryFromBase64String(text, bytes, out var length))
        {
            return text;
        }

        try
        {
            return StrictUtf8.GetString(bytes, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return text;
        }
    }

    private static string Required(XElement message, string name) =>
        message.Element(name)?.Value ?? throw new InvalidDataException($"Get Messages returned a message without {name}.");

    private static DateTimeOffset Date(XElement message, string name) =>
        DateTimeOffset.ParseExact(Required(message, name), "R", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
