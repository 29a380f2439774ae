using TokenTally.Core.Alerts;

namespace TokenTally.Core.Tests.Alerts;

/// <summary>An alert's idempotency id is stable per transition, and its renderings carry the same content safely.</summary>
public sealed class AlertRenderingTests
{
    private static readonly AlertNotification Alert = new(
        AlertNotification.IdempotencyIdFor("budget:b1/2026-12/100", "firing"),
        "Budget exceeded: <acme>",
        AlertSeverity.Critical,
        "Spend passed 100 % & rising.",
        [new("Scope", "tenant <acme>"), new("Spend", "$512.00")],
        new Uri("https://tokentally.example/dashboard?tenant=acme&budget=b1"),
        new DateTimeOffset(2026, 12, 3, 13, 0, 0, TimeSpan.Zero));

    [Fact]
    public void TheSameAlertAndTransitionAlwaysGiveTheSameId()
        => Assert.Equal(AlertNotification.IdempotencyIdFor("budget:b1/2026-12/100", "firing"), AlertNotification.IdempotencyIdFor("budget:b1/2026-12/100", "firing"));

    [Fact]
    public void AnotherTransitionOrAlertGivesAnotherId()
    {
        var firing = AlertNotification.IdempotencyIdFor("budget:b1/2026-12/100", "firing");

        Assert.NotEqual(firing, AlertNotification.IdempotencyIdFor("budget:b1/2026-12/100", "resolved"));
        Assert.NotEqual(firing, AlertNotification.IdempotencyIdFor("budget:b1/2026-12/80", "firing"));
        Assert.Matches("^alrt_[0-9a-f]{32}$", firing);
    }

    [Fact]
    public void TheEmailSubjectLeadsWithTheSeverity()
        => Assert.Equal("[CRITICAL] Budget exceeded: <acme>", AlertEmail.Render(Alert).Subject);

    [Fact]
    public void TheHtmlPartEncodesEveryValueAndThePlainTextKeepsThemAsWritten()
    {
        var email = AlertEmail.Render(Alert);

        Assert.Contains("Budget exceeded: &lt;acme&gt;", email.Html, StringComparison.Ordinal);
        Assert.Contains("100 % &amp; rising", email.Html, StringComparison.Ordinal);
        Assert.Contains("tenant &lt;acme&gt;", email.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<acme>", email.Html, StringComparison.Ordinal);
        Assert.Contains("Scope: tenant <acme>", email.PlainText, StringComparison.Ordinal);
        Assert.Contains("https://tokentally.example/dashboard?tenant=acme&budget=b1", email.PlainText, StringComparison.Ordinal);
    }

    [Fact]
    public void TheWebhookBodyCarriesTheIdTheFactsInOrderAndTheLink()
    {
        var body = AlertWebhookPayload.Render(Alert);

        Assert.Equal("alert.notification", (string?)body["type"]);
        Assert.Equal(Alert.IdempotencyId, (string?)body["data"]!["id"]);
        Assert.Equal("critical", (string?)body["data"]!["severity"]);
        Assert.Equal(["Scope", "Spend"], body["data"]!["facts"]!.AsArray().Select(f => (string)f!["name"]!));
        Assert.Equal(Alert.DashboardLink.AbsoluteUri, (string?)body["data"]!["link"]);
    }
}
