using System.Globalization;

namespace TokenTally.Core.Alerts;

/// <summary>The outcome of one evaluation: the alert's new state (null: no alert, nothing was ever over) and what to send.</summary>
/// <param name="Alert">The new state; equal to the old one when <see cref="Changed"/> is false.</param>
/// <param name="Notifications">What to send: none, or one transition.</param>
/// <param name="Changed">Whether anything needs writing.</param>
public sealed record AlertEvaluation(Alert? Alert, IReadOnlyList<AlertTransition> Notifications, bool Changed);

/// <summary>Why a transition asked by hand was refused.</summary>
public enum AlertRefusal
{
    /// <summary>The alert is not in a state the transition starts from (e.g. acknowledging a resolved alert).</summary>
    WrongState,

    /// <summary>The snooze ends now or in the past.</summary>
    SnoozeInPast,

    /// <summary>The snooze ends after <see cref="AlertPolicy.MaxSnooze"/> from now.</summary>
    SnoozeTooLong,
}

/// <summary>The outcome of a transition asked by hand: the new state and what to send, or why not (the alert unchanged).</summary>
public sealed record AlertCommandResult(Alert Alert, AlertTransition? Notification, bool Changed, AlertRefusal? Refusal = null, string? Reason = null);

/// <summary>
/// The alert state machine, pure. An alert is raised when its value reaches the threshold (after
/// <see cref="AlertPolicy.ObservationsToFire"/> newer observations in a row: pending meanwhile) and resolves only when it
/// falls below threshold × (1 − <see cref="AlertPolicy.HysteresisBand"/>), so a value hovering at the threshold does not flap.
/// </summary>
/// <remarks>
/// Idempotent by design: only an observation of an hour newer than the newest seen can raise, count or re-notify. An hour
/// seen again (an activity retry, a rerun, a backfill) can only lower the state — resolve an alert whose current episode
/// it belongs to when its value is below the resolve line — so evaluating any observation twice never sends twice, and a
/// backfill that lowers spend resolves instead of re-raising. Every transition's idempotency id is derived from the key
/// and the transition's name (<c>fired</c> once per key; <c>reopened:n</c>, <c>resolved:n</c> per episode;
/// <c>renotify:yyyyMMddHH</c> per hour), so a transition recomputed anywhere carries the same id.
/// </remarks>
public static class AlertLifecycle
{
    /// <summary>Evaluates one observation against the alert's current state.</summary>
    /// <param name="current">The alert as stored, or null when there is none yet.</param>
    /// <param name="observation">The value of one hour.</param>
    /// <param name="policy">Band, observations to fire, re-notify interval.</param>
    /// <param name="now">The evaluation's time (the re-notify interval and snoozes are measured against it).</param>
    /// <exception cref="ArgumentException">The observation is about another alert than <paramref name="current"/>.</exception>
    public static AlertEvaluation Evaluate(Alert? current, AlertObservation observation, AlertPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(observation);
        ArgumentNullException.ThrowIfNull(policy);
        var key = observation.Key.Validated();
        var over = observation.Value >= key.Threshold;
        var clear = observation.Value < policy.ResolveBelow(key.Threshold);

        if (current is null)
        {
            if (!over)
            {
                return new AlertEvaluation(null, [], Changed: false);
            }

            var created = new Alert(key, observation.Severity, AlertState.Pending, 0, 0, observation.Hour, observation.Hour, observation.Value, AwaitingClear: false, now, now);
            return CountOver(created, observation, policy, now);
        }

        if (current.Key != key)
        {
            throw new ArgumentException($"The observation is about alert {key.Text}, not {current.Key.Text}.", nameof(observation));
        }

        if (observation.Hour <= current.LastHour)
        {
            // An hour seen again can only lower the state, and only for the episode it belongs to.
            var updated = observation.Hour == current.LastHour ? current with { LastValue = observation.Value } : current;
            if (clear && (current.IsRaised || current.State == AlertState.Pending) && observation.Hour >= current.EpisodeStartHour)
            {
                return Resolve(updated, observation.Value, now, notify: current.IsRaised && !IsSnoozing(current, now));
            }

            return updated == current ? new AlertEvaluation(current, [], Changed: false) : new AlertEvaluation(updated, [], Changed: true);
        }

        var seen = current with { LastHour = observation.Hour, LastValue = observation.Value };
        switch (current.State)
        {
            case AlertState.Pending:
                return over ? CountOver(seen, observation, policy, now) : Resolve(seen, observation.Value, now, notify: false);
            case AlertState.Firing when clear:
            case AlertState.Acknowledged when clear:
                return Resolve(seen, observation.Value, now, notify: true);
            case AlertState.Firing when now - current.LastNotifiedAt >= policy.RenotifyInterval:
                return Renotify(seen, observation, now);
            case AlertState.Snoozed when clear:
                return Resolve(seen, observation.Value, now, notify: !IsSnoozing(current, now));
            case AlertState.Snoozed when !IsSnoozing(current, now):
                return Renotify(seen with { State = AlertState.Firing, SnoozedUntil = null }, observation, now);
            case AlertState.Resolved when clear && current.AwaitingClear:
                return new AlertEvaluation(seen with { AwaitingClear = false }, [], Changed: true);
            case AlertState.Resolved when over && !current.AwaitingClear:
                return CountOver(seen with { State = AlertState.Pending, OverCount = 0, EpisodeStartHour = observation.Hour }, observation, policy, now);
            default:
                return new AlertEvaluation(seen, [], Changed: true);
        }
    }

    /// <summary>Acknowledges a firing or snoozed alert (ends the snooze); acknowledging an acknowledged alert changes nothing.</summary>
    public static AlertCommandResult Acknowledge(Alert alert, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return alert.State switch
        {
            AlertState.Acknowledged => new AlertCommandResult(alert, null, Changed: false),
            AlertState.Firing or AlertState.Snoozed => new AlertCommandResult(
                alert with { State = AlertState.Acknowledged, AcknowledgedAt = now, SnoozedUntil = null, UpdatedAt = now }, null, Changed: true),
            _ => Refuse(alert, AlertRefusal.WrongState, $"Alert {alert.Key.Id} is {Name(alert.State)}: only a firing or snoozed alert can be acknowledged."),
        };
    }

    /// <summary>
    /// Silences a raised alert until <paramref name="until"/> (after now, at most <see cref="AlertPolicy.MaxSnooze"/> ahead):
    /// no notifications meanwhile; the first newer observation after it fires again if the value is still over.
    /// </summary>
    public static AlertCommandResult Snooze(Alert alert, DateTimeOffset until, AlertPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(policy);
        if (until <= now)
        {
            return Refuse(alert, AlertRefusal.SnoozeInPast, $"until must be in the future; it is {until:O}, now is {now:O}.");
        }

        if (until - now > policy.MaxSnooze)
        {
            return Refuse(alert, AlertRefusal.SnoozeTooLong, $"A snooze lasts at most {policy.MaxSnooze.TotalDays.ToString(CultureInfo.InvariantCulture)} days: until must be before {(now + policy.MaxSnooze):O}.");
        }

        return alert.IsRaised
            ? new AlertCommandResult(alert with { State = AlertState.Snoozed, SnoozedUntil = until, UpdatedAt = now }, null, Changed: true)
            : Refuse(alert, AlertRefusal.WrongState, $"Alert {alert.Key.Id} is {Name(alert.State)}: only a firing, acknowledged or snoozed alert can be snoozed.");
    }

    /// <summary>
    /// Resolves an alert by hand, announcing it if it had been raised. It is raised again only after its value has fallen
    /// below the resolve line and reached the threshold again. Resolving a resolved alert changes nothing.
    /// </summary>
    public static AlertCommandResult Resolve(Alert alert, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (alert.State == AlertState.Resolved)
        {
            return new AlertCommandResult(alert, null, Changed: false);
        }

        var resolved = Resolve(alert, alert.LastValue, now, notify: alert.IsRaised);
        return new AlertCommandResult(resolved.Alert! with { AwaitingClear = true }, resolved.Notifications.SingleOrDefault(), Changed: true);
    }

    /// <summary>The state as the API names it: <c>pending</c>, <c>firing</c>, <c>acknowledged</c>, <c>snoozed</c>, <c>resolved</c>.</summary>
    public static string Name(AlertState state) => state switch
    {
        AlertState.Pending => "pending",
        AlertState.Firing => "firing",
        AlertState.Acknowledged => "acknowledged",
        AlertState.Snoozed => "snoozed",
        AlertState.Resolved => "resolved",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown alert state."),
    };

    private static bool IsSnoozing(Alert alert, DateTimeOffset now) => alert.State == AlertState.Snoozed && alert.SnoozedUntil > now;

    private static AlertEvaluation CountOver(Alert alert, AlertObservation observation, AlertPolicy policy, DateTimeOffset now)
    {
        var counted = alert with { OverCount = alert.OverCount + 1, UpdatedAt = now };
        if (counted.OverCount < policy.ObservationsToFire)
        {
            return new AlertEvaluation(counted, [], Changed: true);
        }

        var episode = alert.Episode + 1;
        var (kind, transition) = episode == 1 ? (AlertNotificationKind.Fired, "fired") : (AlertNotificationKind.Reopened, $"reopened:{episode}");
        var raised = counted with { State = AlertState.Firing, Episode = episode, OverCount = 0, FiredAt = alert.FiredAt ?? now, LastNotifiedAt = now, AcknowledgedAt = null, ResolvedAt = null };
        return new AlertEvaluation(raised, [Transition(raised, kind, transition, observation.Value, now)], Changed: true);
    }

    private static AlertEvaluation Renotify(Alert alert, AlertObservation observation, DateTimeOffset now)
    {
        var renotified = alert with { LastNotifiedAt = now, UpdatedAt = now };
        var transition = "renotify:" + observation.Hour.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);
        return new AlertEvaluation(renotified, [Transition(renotified, AlertNotificationKind.Renotify, transition, observation.Value, now)], Changed: true);
    }

    private static AlertEvaluation Resolve(Alert alert, decimal value, DateTimeOffset now, bool notify)
    {
        var resolved = alert with { State = AlertState.Resolved, OverCount = 0, SnoozedUntil = null, ResolvedAt = now, UpdatedAt = now };
        return new AlertEvaluation(resolved, notify ? [Transition(resolved, AlertNotificationKind.Resolved, $"resolved:{alert.Episode}", value, now)] : [], Changed: true);
    }

    private static AlertTransition Transition(Alert alert, AlertNotificationKind kind, string transition, decimal value, DateTimeOffset now) =>
        new(kind, alert.Key.Id, AlertNotification.IdempotencyIdFor(alert.Key.Text, transition), transition, value, now);

    private static AlertCommandResult Refuse(Alert alert, AlertRefusal refusal, string reason) => new(alert, null, Changed: false, refusal, reason);
}
