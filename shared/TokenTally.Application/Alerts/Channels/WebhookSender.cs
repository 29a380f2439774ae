using System.Globalization;
using System.Net.Mime;
using System.Text;
using StandardWebhooks;
using TokenTally.Core.Alerts;

namespace TokenTally.Application.Alerts.Channels;

/// <summary>
/// POSTs the alert as JSON signed per the Standard Webhooks specification: <c>webhook-id</c> is the notification's
/// idempotency id (the same on every retry, for dedupe), <c>webhook-timestamp</c> the attempt's time in Unix seconds,
/// <c>webhook-signature</c> <c>v1,</c> + base64 HMAC-SHA256 of <c>id.timestamp.body</c>.
/// </summary>
internal sealed class WebhookSender(IHttpClientFactory clients, TimeProvider time) : IAlertChannelSender
{
    public ChannelKind Kind => ChannelKind.Webhook;

    public async Task<DeliveryAttempt> SendAsync(AlertChannel channel, ChannelSecrets secrets, AlertNotification notification, CancellationToken cancellationToken)
    {
        var webhook = (WebhookChannel)channel;
        if (!secrets.TryReveal(webhook.SigningSecret, out var secret))
        {
            return DeliveryAttempt.Permanent($"The signing secret '{webhook.SigningSecret.Name}' was not supplied.");
        }

        if (!WebhookSecrets.IsValid(secret))
        {
            return DeliveryAttempt.Permanent($"The signing secret '{webhook.SigningSecret.Name}' is not a whsec_ secret of 24-64 base64-encoded bytes.");
        }

        var body = AlertWebhookPayload.Render(notification).ToJsonString();
        var now = time.GetUtcNow();
        var signature = new StandardWebhook(secret).Sign(notification.IdempotencyId, now, body);

        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, MediaTypeNames.Application.Json),
        };
        request.Headers.Add("webhook-id", notification.IdempotencyId);
        request.Headers.Add("webhook-timestamp", now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", signature);
        try
        {
            using var response = await clients.CreateClient(HttpAttempts.ClientName).SendAsync(request, cancellationToken);
            return HttpAttempts.Of(response, time);
        }
        catch (HttpRequestException failure)
        {
            return HttpAttempts.Of(failure);
        }
    }
}

/// <summary>The Standard Webhooks secret format: <c>whsec_</c> and the base64 of 24 to 64 random bytes.</summary>
internal static class WebhookSecrets
{
    public const string Prefix = "whsec_";

    public static bool IsValid(string secret)
    {
        if (!secret.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var key = new byte[64];
        return Convert.TryFromBase64String(secret[Prefix.Length..], key, out var length) && length >= 24;
    }
}
