using System.Text.Json.Nodes;

namespace TokenTally.Core.Alerts;

/// <summary>
/// An alert as the message a Teams Workflows webhook ("When a Teams webhook request is received") posts: a
/// <c>message</c> envelope with one Adaptive Card attachment.
/// </summary>
public static class TeamsAlertCard
{
    /// <summary>
    /// The card version: Workflows renders cards up to 1.4 only (cards declaring 1.5 show "this card couldn't be
    /// displayed"), so the card uses nothing newer (no Table, no Action.Execute).
    /// </summary>
    public const string CardVersion = "1.4";

    /// <summary>The content type the Workflows template iterates over in <c>attachments</c>.</summary>
    public const string ContentType = "application/vnd.microsoft.card.adaptive";

    /// <summary>The webhook request body: <c>{"type":"message","attachments":[{card}]}</c>.</summary>
    public static JsonObject Message(AlertNotification notification) => new()
    {
        ["type"] = "message",
        ["attachments"] = new JsonArray(new JsonObject
        {
            ["contentType"] = ContentType,
            ["contentUrl"] = null,
            ["content"] = Card(notification),
        }),
    };

    /// <summary>
    /// The Adaptive Card: a container styled by severity holding the title and severity, the summary, a FactSet of the
    /// facts in order, and an Action.OpenUrl to the dashboard view.
    /// </summary>
    public static JsonObject Card(AlertNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var (style, colour) = notification.Severity switch
        {
            AlertSeverity.Critical => ("attention", "Attention"),
            AlertSeverity.Warning => ("warning", "Warning"),
            _ => ("accent", "Accent"),
        };
        var facts = new JsonArray([.. notification.Facts.Select(f => (JsonNode)new JsonObject { ["title"] = f.Name, ["value"] = f.Value })]);
        return new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = CardVersion,
            ["fallbackText"] = $"{notification.Title}: {notification.Summary}",
            ["body"] = new JsonArray(
                new JsonObject
                {
                    ["type"] = "Container",
                    ["style"] = style,
                    ["bleed"] = true,
                    ["items"] = new JsonArray(
                        new JsonObject { ["type"] = "TextBlock", ["text"] = notification.Title, ["weight"] = "Bolder", ["size"] = "Medium", ["wrap"] = true },
                        new JsonObject { ["type"] = "TextBlock", ["text"] = notification.SeverityName.ToUpperInvariant(), ["color"] = colour, ["weight"] = "Bolder", ["spacing"] = "None" }),
                },
                new JsonObject { ["type"] = "TextBlock", ["text"] = notification.Summary, ["wrap"] = true },
                new JsonObject { ["type"] = "FactSet", ["facts"] = facts }),
            ["actions"] = new JsonArray(new JsonObject
            {
                ["type"] = "Action.OpenUrl",
                ["title"] = "Open in TokenTally",
                ["url"] = notification.DashboardLink.AbsoluteUri,
            }),
        };
    }
}
