namespace TokenTally.Core.Alerts;

/// <summary>Where an alert is in its life.</summary>
public enum AlertState
{
    /// <summary>At or over the threshold, counting observations until it may fire; nothing sent yet.</summary>
    Pending,

    /// <summary>Raised and announced; re-announced every re-notify interval until someone acknowledges it.</summary>
    Firing,

    /// <summary>Someone has seen it: no more re-notifications; it still resolves (and says so) when the value clears.</summary>
    Acknowledged,

    /// <summary>Silenced until a time: no notifications; when the snooze ends it fires again if still over.</summary>
    Snoozed,

    /// <summary>The value fell below the resolve line (threshold × (1 − band)), or someone resolved it by hand.</summary>
    Resolved,
}

/// <summary>What a transition announces.</summary>
public enum AlertNotificationKind
{
    /// <summary>The alert fired for the first time: at most once per alert key.</summary>
    Fired,

    /// <summary>Still firing and unacknowledged after the re-notify interval, or still over when a snooze ended.</summary>
    Renotify,

    /// <summary>Over the threshold again, in a newer hour, after it had resolved.</summary>
    Reopened,

    /// <summary>A raised alert resolved.</summary>
    Resolved,
}

/// <summary>One value an alert's rule computed for one hour: e.g. a budget's spend so far as a percentage of its amount.</summary>
/// <param name="Key">The alert it is about (the threshold is the key's).</param>
/// <param name="Severity">How urgent the alert is when raised.</param>
/// <param name="Hour">The start of the hour the value describes (UTC); a rerun or backfill of an hour sends the same hour again.</param>
/// <param name="Value">The value, in the threshold's unit.</param>
public sealed record AlertObservation(AlertKey Key, AlertSeverity Severity, DateTimeOffset Hour, decimal Value);

/// <summary>A notification to send for one transition; <see cref="IdempotencyId"/> is the same on every rerun of it.</summary>
/// <param name="Kind">What it announces.</param>
/// <param name="AlertId">The alert's id (<see cref="AlertKey.Id"/>).</param>
/// <param name="IdempotencyId"><see cref="AlertNotification.IdempotencyIdFor"/> of the alert's key text and the transition's name.</param>
/// <param name="Transition">The transition's name: <c>fired</c>, <c>reopened:2</c>, <c>renotify:2026120309</c> or <c>resolved:1</c>.</param>
/// <param name="Value">The value that caused it (the last one seen, for a transition by hand).</param>
/// <param name="At">When it happened.</param>
public sealed record AlertTransition(AlertNotificationKind Kind, string AlertId, string IdempotencyId, string Transition, decimal Value, DateTimeOffset At);

/// <summary>
/// One alert's state. Immutable: <see cref="AlertLifecycle"/> computes the next one. The times are UTC.
/// </summary>
/// <param name="Key">What it is about.</param>
/// <param name="Severity">How urgent (from the observation that created it).</param>
/// <param name="State">Where it is in its life.</param>
/// <param name="Episode">How many times it has been raised (fired or reopened); 0 until it first fires.</param>
/// <param name="OverCount">Newer observations in a row at or over the threshold while <see cref="AlertState.Pending"/>.</param>
/// <param name="EpisodeStartHour">The hour the current episode began (its first over observation): older hours say nothing about it.</param>
/// <param name="LastHour">The newest hour observed.</param>
/// <param name="LastValue">The value of <see cref="LastHour"/>.</param>
/// <param name="AwaitingClear">Resolved by hand while over: it may be raised again only after the value has fallen below the resolve line.</param>
/// <param name="CreatedAt">When it was first observed over the threshold.</param>
/// <param name="UpdatedAt">When its state last changed.</param>
/// <param name="FiredAt">When it first fired.</param>
/// <param name="LastNotifiedAt">When it was last announced (fired, reopened or re-notified).</param>
/// <param name="AcknowledgedAt">When it was last acknowledged.</param>
/// <param name="SnoozedUntil">While <see cref="AlertState.Snoozed"/>: until when.</param>
/// <param name="ResolvedAt">When it last resolved.</param>
public sealed record Alert(
    AlertKey Key,
    AlertSeverity Severity,
    AlertState State,
    int Episode,
    int OverCount,
    DateTimeOffset EpisodeStartHour,
    DateTimeOffset LastHour,
    decimal LastValue,
    bool AwaitingClear,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FiredAt = null,
    DateTimeOffset? LastNotifiedAt = null,
    DateTimeOffset? AcknowledgedAt = null,
    DateTimeOffset? SnoozedUntil = null,
    DateTimeOffset? ResolvedAt = null)
{
    /// <summary>Whether it has been announced in its current episode (firing, acknowledged or snoozed).</summary>
    public bool IsRaised => State is AlertState.Firing or AlertState.Acknowledged or AlertState.Snoozed;
}
