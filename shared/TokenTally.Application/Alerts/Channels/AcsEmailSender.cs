using System.Net.Http.Headers;
using System.Net.Mime;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;
using Microsoft.Extensions.Options;
using TokenTally.Core.Alerts;

namespace TokenTally.Application.Alerts.Channels;

/// <summary>
/// Sends the alert through the Azure Communication Services Email REST API (<c>POST {endpoint}/emails:send</c>), signed
/// with the access key (HMAC-SHA256) or with an Entra ID token. ACS answers 202 with an Operation-Location and sends
/// later; the operation id becomes the delivery's receipt. <c>Operation-Id</c> is derived from the idempotency id, so a
/// retried request is the same operation to ACS.
/// </summary>
internal sealed class AcsEmailSender(IHttpClientFactory clients, IOptions<AlertChannelOptions> options, TimeProvider time, TokenCredential? credential = null)
    : IAlertChannelSender
{
    /// <summary>The scope of an Entra ID token for Communication Services (the double slash is what the SDKs send).</summary>
    public const string Scope = "https://communication.azure.com//.default";

    public ChannelKind Kind => ChannelKind.AcsEmail;

    public async Task<DeliveryAttempt> SendAsync(AlertChannel channel, ChannelSecrets secrets, AlertNotification notification, CancellationToken cancellationToken)
    {
        var acs = (AcsEmailChannel)channel;
        byte[]? accessKey = null;
        if (acs.Authentication == AcsAuthentication.AccessKey)
        {
            if (!secrets.TryReveal(acs.AccessKey, out var key))
            {
                return DeliveryAttempt.Permanent($"The access key secret '{acs.AccessKey?.Name}' was not supplied.");
            }

            accessKey = new byte[key.Length];
            if (!Convert.TryFromBase64String(key, accessKey, out var length))
            {
                return DeliveryAttempt.Permanent($"The access key secret '{acs.AccessKey!.Name}' is not base64.");
            }

            accessKey = accessKey[..length];
        }
        else if (credential is null)
        {
            return DeliveryAttempt.Permanent("The channel authenticates with Entra ID, but the host registers no TokenCredential.");
        }

        var url = new Uri($"{acs.Endpoint.GetLeftPart(UriPartial.Authority)}/emails:send?api-version={Uri.EscapeDataString(options.Value.AcsApiVersion)}");
        var body = Encoding.UTF8.GetBytes(Body(acs, notification).ToJsonString());
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(MediaTypeNames.Application.Json) { CharSet = "utf-8" };
        request.Headers.Add("Operation-Id", OperationId(notification.IdempotencyId).ToString());
        try
        {
            if (accessKey is not null)
            {
                AcsHmac.Sign(request, body, accessKey, time.GetUtcNow());
            }
            else if (await TokenAsync(cancellationToken) is { } token)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            else
            {
                return DeliveryAttempt.Transient("no Entra ID token for Communication Services could be obtained");
            }

            using var response = await clients.CreateClient(HttpAttempts.ClientName).SendAsync(request, cancellationToken);
            return HttpAttempts.Of(response, time, response.IsSuccessStatusCode ? await ReceiptAsync(response, cancellationToken) : null);
        }
        catch (HttpRequestException failure)
        {
            return HttpAttempts.Of(failure);
        }
    }

    private async Task<string?> TokenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await credential!.GetTokenAsync(new TokenRequestContext([Scope]), cancellationToken)).Token;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Credential errors can quote configuration; the attempt reports only that no token came.
            return null;
        }
    }

    internal static JsonObject Body(AcsEmailChannel acs, AlertNotification notification)
    {
        var email = AlertEmail.Render(notification);
        return new JsonObject
        {
            ["senderAddress"] = acs.SenderAddress,
            ["content"] = new JsonObject { ["subject"] = email.Subject, ["plainText"] = email.PlainText, ["html"] = email.Html },
            ["recipients"] = new JsonObject
            {
                ["to"] = new JsonArray([.. acs.Recipients.Select(address => (JsonNode)new JsonObject { ["address"] = address })]),
            },
            ["headers"] = new JsonObject { ["X-TokenTally-Alert-Id"] = notification.IdempotencyId },
            ["userEngagementTrackingDisabled"] = true,
        };
    }

    /// <summary>A GUID that is the same for every attempt of one notification.</summary>
    internal static Guid OperationId(string idempotencyId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyId));
        return new Guid(hash.AsSpan(0, 16));
    }

    /// <summary>The operation id: from the 202 body's <c>id</c>, else the last segment of Operation-Location.</summary>
    private static async Task<string?> ReceiptAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (body.Length > 0 && JsonNode.Parse(body)?["id"]?.GetValue<string>() is { Length: > 0 } id)
            {
                return id;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Accepted is accepted; a body we cannot read only costs the receipt.
        }

        return response.Headers.TryGetValues("Operation-Location", out var locations) && Uri.TryCreate(locations.First(), UriKind.Absolute, out var location)
            ? location.Segments[^1]
            : null;
    }
}
