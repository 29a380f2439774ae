using System.Text.Json.Nodes;

namespace TokenTally.Core.Alerts;

/// <summary>
/// An alert as the JSON body of a generic webhook, shaped as the Standard Webhooks specification recommends:
/// <c>{"type": "alert.notification", "timestamp": …, "data": {…}}</c>.
/// </summary>
public static class AlertWebhookPayload
{
    /// <summary>The event type receivers switch on.</summary>
    public const string EventType = "alert.notification";

    /// <summary>The body; <c>data.id</c> equals the <c>webhook-id</c> header, so receivers can dedupe on either.</summary>
    public static JsonObject Render(AlertNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return new JsonObject
        {
            ["type"] = EventType,
            ["timestamp"] = notification.OccurredAt.ToUniversalTime().ToString("O"),
            ["data"] = new JsonObject
            {
                ["id"] = notification.IdempotencyId,
                ["title"] = notification.Title,
                ["severity"] = notification.SeverityName,
                ["summary"] = notification.Summary,
                ["facts"] = new JsonArray([.. notification.Facts.Select(f => (JsonNode)new JsonObject { ["name"] = f.Name, ["value"] = f.Value })]),
                ["link"] = notification.DashboardLink.AbsoluteUri,
                ["occurredAt"] = notification.OccurredAt.ToUniversalTime().ToString("O"),
            },
        };
    }
}
