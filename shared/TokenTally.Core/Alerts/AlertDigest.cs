namespace TokenTally.Core.Alerts;

/// <summary>One notification addressed to one channel.</summary>
/// <param name="ChannelId">The tenant's channel id.</param>
/// <param name="Notification">What to tell it.</param>
public sealed record ChannelNotification(string ChannelId, AlertNotification Notification);

/// <summary>
/// Groups an hour's notifications so that each channel gets one message: a channel with one notification gets it as it
/// is; a channel with several gets one digest, "N alerts for &lt;tenant&gt;", with a fact per alert.
/// </summary>
public static class AlertDigest
{
    /// <summary>One message per channel, in channel-id order.</summary>
    /// <param name="tenant">The tenant the notifications belong to (named in the title).</param>
    /// <param name="notifications">The hour's notifications, per channel; the same idempotency id twice for a channel counts once.</param>
    /// <param name="dashboardLink">Where a digest links to: the tenant's alert view.</param>
    /// <returns>
    /// Per channel, one message. A digest's severity is the highest of its alerts, its time the latest, its facts one per
    /// alert (title → summary), most severe first, and its idempotency id is derived from the channel and its alerts'
    /// ids, so the same hour's digest is the same message on every rerun.
    /// </returns>
    public static IReadOnlyList<ChannelNotification> Compose(string tenant, IEnumerable<ChannelNotification> notifications, Uri dashboardLink)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenant);
        ArgumentNullException.ThrowIfNull(notifications);
        ArgumentNullException.ThrowIfNull(dashboardLink);
        return notifications
            .GroupBy(n => n.ChannelId, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(channel =>
            {
                var distinct = channel.Select(n => n.Notification)
                    .DistinctBy(n => n.IdempotencyId, StringComparer.Ordinal)
                    .OrderByDescending(n => n.Severity)
                    .ThenBy(n => n.OccurredAt)
                    .ThenBy(n => n.IdempotencyId, StringComparer.Ordinal)
                    .ToList();
                return new ChannelNotification(channel.Key, distinct.Count == 1 ? distinct[0] : Digest(tenant, channel.Key, distinct, dashboardLink));
            })
            .ToList();
    }

    private static AlertNotification Digest(string tenant, string channelId, IReadOnlyList<AlertNotification> alerts, Uri dashboardLink)
    {
        var ids = string.Join(",", alerts.Select(a => a.IdempotencyId).Order(StringComparer.Ordinal));
        var counts = alerts.GroupBy(a => a.SeverityName).OrderByDescending(g => g.First().Severity).Select(g => $"{g.Count()} {g.Key}");
        return new AlertNotification(
            AlertNotification.IdempotencyIdFor($"digest/{tenant}/{channelId}", ids),
            $"{alerts.Count} alerts for {tenant}",
            alerts.Max(a => a.Severity),
            $"{alerts.Count} alerts for {tenant} in one message: {string.Join(", ", counts)}.",
            alerts.Select(a => new AlertFact(a.Title, a.Summary)).ToList(),
            dashboardLink,
            alerts.Max(a => a.OccurredAt));
    }
}
