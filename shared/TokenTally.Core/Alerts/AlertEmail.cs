using System.Net;
using System.Text;

namespace TokenTally.Core.Alerts;

/// <summary>An alert as an email: a subject and the same content as plain text and as HTML.</summary>
/// <param name="Subject">The severity in brackets, then the title.</param>
/// <param name="PlainText">Title, summary, one <c>Name: value</c> line per fact, and the link.</param>
/// <param name="Html">The same content with every value HTML-encoded.</param>
public sealed record AlertEmail(string Subject, string PlainText, string Html)
{
    /// <summary>Renders <paramref name="notification"/>; nothing it carries can inject markup into the HTML part.</summary>
    public static AlertEmail Render(AlertNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var subject = $"[{notification.SeverityName.ToUpperInvariant()}] {notification.Title}".ReplaceLineEndings(" ");

        var text = new StringBuilder()
            .AppendLine(notification.Title)
            .AppendLine()
            .AppendLine(notification.Summary)
            .AppendLine();
        foreach (var fact in notification.Facts)
        {
            text.Append(fact.Name).Append(": ").AppendLine(fact.Value);
        }

        text.AppendLine().Append("Open in TokenTally: ").AppendLine(notification.DashboardLink.AbsoluteUri);

        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html><body style=\"font-family:Segoe UI,Helvetica,Arial,sans-serif\">")
            .Append("<h2>").Append(Encode(notification.Title)).Append("</h2>")
            .Append("<p><strong>").Append(Encode(notification.SeverityName.ToUpperInvariant())).Append("</strong> ")
            .Append(Encode(notification.Summary)).Append("</p><table>");
        foreach (var fact in notification.Facts)
        {
            html.Append("<tr><th align=\"left\">").Append(Encode(fact.Name)).Append("</th><td>").Append(Encode(fact.Value)).Append("</td></tr>");
        }

        html.Append("</table><p><a href=\"").Append(Encode(notification.DashboardLink.AbsoluteUri)).Append("\">Open in TokenTally</a></p></body></html>");
        return new AlertEmail(subject, text.ToString(), html.ToString());
    }

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
