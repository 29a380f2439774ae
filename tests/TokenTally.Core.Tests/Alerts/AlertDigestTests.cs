using TokenTally.Core.Alerts;

namespace TokenTally.Core.Tests.Alerts;

/// <summary>One noisy hour sends one message per channel: a digest of its alerts, or the one alert as it is.</summary>
public sealed class AlertDigestTests
{
    private static readonly Uri Dashboard = new("https://tokentally.example/alerts?tenant=acme");
    private static readonly DateTimeOffset Hour = new(2026, 12, 3, 13, 0, 0, TimeSpan.Zero);

    private static AlertNotification Alert(int n, AlertSeverity severity = AlertSeverity.Warning) => new(
        AlertNotification.IdempotencyIdFor($"budget:b{n}/tenant/2026-12/80", "fired"),
        $"Budget b{n} at 80 %",
        severity,
        $"Spend of budget b{n} reached 80 %.",
        [new("Spend", "$800.00")],
        new Uri($"https://tokentally.example/budgets/b{n}"),
        Hour.AddMinutes(n));

    [Fact]
    public void FiftyAlertsOnTwoChannelsAreTwoMessages()
    {
        var alerts = Enumerable.Range(1, 50).Select(n => Alert(n)).ToList();
        var notifications = alerts.SelectMany(a => new[] { new ChannelNotification("teams", a), new ChannelNotification("email", a) });

        var messages = AlertDigest.Compose("acme", notifications, Dashboard);

        Assert.Equal(["email", "teams"], messages.Select(m => m.ChannelId));
        var digest = messages[1].Notification;
        Assert.Equal("50 alerts for acme", digest.Title);
        Assert.Equal(50, digest.Facts.Count);
        Assert.Equal(("Budget b1 at 80 %", "Spend of budget b1 reached 80 %."), (digest.Facts[0].Name, digest.Facts[0].Value));
        Assert.Equal(Dashboard, digest.DashboardLink);
        Assert.Equal(Hour.AddMinutes(50), digest.OccurredAt);
        Assert.NotEqual(messages[0].Notification.IdempotencyId, digest.IdempotencyId);
    }

    [Fact]
    public void ADigestIsAsSevereAsItsMostSevereAlertWhichComesFirst()
    {
        var notifications = new[] { Alert(1), Alert(2, AlertSeverity.Critical), Alert(3, AlertSeverity.Info) }.Select(a => new ChannelNotification("teams", a));

        var digest = Assert.Single(AlertDigest.Compose("acme", notifications, Dashboard)).Notification;

        Assert.Equal(AlertSeverity.Critical, digest.Severity);
        Assert.Equal(["Budget b2 at 80 %", "Budget b1 at 80 %", "Budget b3 at 80 %"], digest.Facts.Select(f => f.Name));
        Assert.Contains("1 critical, 1 warning, 1 info", digest.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void OneAlertForAChannelIsSentAsItIsAndADuplicateCountsOnce()
    {
        var alert = Alert(7);

        var message = Assert.Single(AlertDigest.Compose("acme", [new("teams", alert), new("teams", alert)], Dashboard));

        Assert.Same(alert, message.Notification);
    }

    [Fact]
    public void TheSameHoursDigestHasTheSameIdWhateverTheOrder()
    {
        var alerts = Enumerable.Range(1, 5).Select(n => new ChannelNotification("webhook", Alert(n))).ToList();

        var first = AlertDigest.Compose("acme", alerts, Dashboard);
        var again = AlertDigest.Compose("acme", Enumerable.Reverse(alerts), Dashboard);

        Assert.Equal(first[0].Notification.IdempotencyId, again[0].Notification.IdempotencyId);
        Assert.Equal(first[0].Notification.Facts, again[0].Notification.Facts);
    }
}
