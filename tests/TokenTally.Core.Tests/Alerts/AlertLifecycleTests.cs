using TokenTally.Core.Alerts;

namespace TokenTally.Core.Tests.Alerts;

/// <summary>
/// An alert fires once when its value reaches the threshold, re-notifies while nobody acknowledges it, keeps quiet while
/// snoozed, resolves only below the hysteresis line, and an hour evaluated again never sends twice.
/// </summary>
public sealed class AlertLifecycleTests
{
    private static readonly AlertKey Key = new("budget:b1", AlertScopes.Project("support-bot"), "2026-12", 80m);
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly AlertPolicy Policy = AlertPolicy.Default;

    private static AlertObservation At(int hour, decimal value) => new(Key, AlertSeverity.Warning, Start.AddHours(hour), value);

    /// <summary>Evaluates observations in order, each an hour after its own hour, and returns the last state and every notification.</summary>
    private static (Alert? Alert, List<AlertTransition> Sent) Run(IEnumerable<AlertObservation> observations, AlertPolicy? policy = null, Alert? from = null)
    {
        var alert = from;
        var sent = new List<AlertTransition>();
        foreach (var observation in observations)
        {
            var evaluation = AlertLifecycle.Evaluate(alert, observation, policy ?? Policy, observation.Hour.AddHours(1));
            alert = evaluation.Alert;
            sent.AddRange(evaluation.Notifications);
        }

        return (alert, sent);
    }

    [Fact]
    public void AValueBelowTheThresholdRaisesNothingAndStoresNothing()
    {
        var evaluation = AlertLifecycle.Evaluate(null, At(0, 79.99m), Policy, Start);

        Assert.Null(evaluation.Alert);
        Assert.Empty(evaluation.Notifications);
        Assert.False(evaluation.Changed);
    }

    [Fact]
    public void AValueAtTheThresholdFiresOnceWithTheIdOfTheKeyAndFired()
    {
        var (alert, sent) = Run([At(0, 80m), At(1, 85m), At(2, 90m)]);

        var fired = Assert.Single(sent);
        Assert.Equal(AlertNotificationKind.Fired, fired.Kind);
        Assert.Equal(AlertNotification.IdempotencyIdFor("budget:b1/project=support-bot/2026-12/80", "fired"), fired.IdempotencyId);
        Assert.Equal(80m, fired.Value);
        Assert.Equal(AlertState.Firing, alert!.State);
        Assert.Equal(1, alert.Episode);
        Assert.Equal(90m, alert.LastValue);
    }

    [Fact]
    public void TheKeyTextIgnoresTrailingZerosSoTheSameThresholdIsTheSameAlert()
    {
        Assert.Equal(Key.Id, (Key with { Threshold = 80.00m }).Id);
        Assert.NotEqual(Key.Id, (Key with { PeriodKey = "2027-01" }).Id);
        Assert.Matches("^[0-9a-f]{16}$", Key.Id);
    }

    [Fact]
    public void WithThreeObservationsToFireItIsPendingUntilTheThirdInARow()
    {
        var policy = Policy with { ObservationsToFire = 3 };

        var (pending, none) = Run([At(0, 81m), At(1, 82m)], policy);
        var (interrupted, stillNone) = Run([At(0, 81m), At(1, 79m), At(2, 82m), At(3, 83m)], policy);
        var (firing, sent) = Run([At(0, 81m), At(1, 82m), At(2, 83m)], policy);

        Assert.Equal((AlertState.Pending, 2), (pending!.State, pending.OverCount));
        Assert.Empty(none);
        Assert.Equal((AlertState.Pending, 2), (interrupted!.State, interrupted.OverCount));
        Assert.Empty(stillNone);
        Assert.Equal(AlertState.Firing, firing!.State);
        Assert.Equal(AlertNotificationKind.Fired, Assert.Single(sent).Kind);
    }

    [Theory]
    [InlineData(79.99)]
    [InlineData(76)] // exactly 80 × 0.95 is still inside the band
    public void AValueInsideTheBandKeepsItFiring(decimal value)
    {
        var (alert, sent) = Run([At(0, 80m), At(1, value), At(2, 80m), At(3, value)]);

        Assert.Equal(AlertState.Firing, alert!.State);
        Assert.Single(sent);
    }

    [Fact]
    public void AValueBelowTheBandResolvesAndSaysSo()
    {
        var (alert, sent) = Run([At(0, 80m), At(1, 75.99m)]);

        Assert.Equal(AlertState.Resolved, alert!.State);
        Assert.Equal([AlertNotificationKind.Fired, AlertNotificationKind.Resolved], sent.Select(s => s.Kind));
        Assert.Equal(AlertNotification.IdempotencyIdFor(Key.Text, "resolved:1"), sent[1].IdempotencyId);
        Assert.Equal(Start.AddHours(2), alert.ResolvedAt);
    }

    [Fact]
    public void OverAgainInANewerHourAfterResolvingReopensWithAnotherIdButNeverFiresTwice()
    {
        var (alert, sent) = Run([At(0, 90m), At(1, 10m), At(2, 90m), At(3, 10m), At(4, 90m)]);

        Assert.Equal(
            [AlertNotificationKind.Fired, AlertNotificationKind.Resolved, AlertNotificationKind.Reopened, AlertNotificationKind.Resolved, AlertNotificationKind.Reopened],
            sent.Select(s => s.Kind));
        Assert.Equal(["fired", "resolved:1", "reopened:2", "resolved:2", "reopened:3"], sent.Select(s => s.Transition));
        Assert.Equal(sent.Count, sent.Select(s => s.IdempotencyId).Distinct().Count());
        Assert.Equal(3, alert!.Episode);
    }

    [Fact]
    public void AnUnacknowledgedAlertIsAnnouncedAgainOncePerRenotifyInterval()
    {
        var policy = Policy with { RenotifyInterval = TimeSpan.FromHours(6) };

        var (_, sent) = Run(Enumerable.Range(0, 13).Select(h => At(h, 90m)), policy);

        Assert.Equal(["fired", "renotify:2026120106", "renotify:2026120112"], sent.Select(s => s.Transition));
    }

    [Fact]
    public void AnAcknowledgedAlertIsNotAnnouncedAgainButItsResolutionIs()
    {
        var (firing, _) = Run([At(0, 90m)]);
        var acknowledged = AlertLifecycle.Acknowledge(firing!, Start.AddHours(1));

        var (alert, sent) = Run(Enumerable.Range(1, 48).Select(h => At(h, 90m)).Append(At(49, 1m)), from: acknowledged.Alert);

        Assert.True(acknowledged.Changed);
        Assert.Equal(AlertState.Acknowledged, acknowledged.Alert.State);
        Assert.Equal(["resolved:1"], sent.Select(s => s.Transition));
        Assert.Equal(AlertState.Resolved, alert!.State);
    }

    [Fact]
    public void ASnoozedAlertIsQuietUntilItEndsThenFiresAgainIfStillOver()
    {
        var (firing, _) = Run([At(0, 90m)]);
        var snoozed = AlertLifecycle.Snooze(firing!, Start.AddHours(5), Policy, Start.AddHours(1));

        var (during, quiet) = Run([At(1, 90m), At(2, 95m), At(3, 90m)], from: snoozed.Alert);
        var (after, sent) = Run([At(4, 90m), At(5, 90m)], from: during);

        Assert.Equal(AlertState.Snoozed, during!.State);
        Assert.Empty(quiet);
        Assert.Equal(AlertState.Firing, after!.State);
        Assert.Null(after.SnoozedUntil);
        Assert.Equal(["renotify:2026120104"], sent.Select(s => s.Transition));
    }

    [Fact]
    public void ASnoozedAlertThatClearsResolvesQuietly()
    {
        var (firing, _) = Run([At(0, 90m)]);
        var snoozed = AlertLifecycle.Snooze(firing!, Start.AddDays(2), Policy, Start.AddHours(1));

        var (alert, sent) = Run([At(1, 10m)], from: snoozed.Alert);

        Assert.Equal(AlertState.Resolved, alert!.State);
        Assert.Empty(sent);
    }

    [Fact]
    public void ASnoozeMustEndInTheFutureAndWithinSevenDays()
    {
        var (firing, _) = Run([At(0, 90m)]);
        var now = Start.AddHours(1);

        var past = AlertLifecycle.Snooze(firing!, now, Policy, now);
        var tooLong = AlertLifecycle.Snooze(firing!, now.AddDays(7).AddSeconds(1), Policy, now);
        var longest = AlertLifecycle.Snooze(firing!, now.AddDays(7), Policy, now);

        Assert.Equal(AlertRefusal.SnoozeInPast, past.Refusal);
        Assert.Equal(AlertRefusal.SnoozeTooLong, tooLong.Refusal);
        Assert.False(past.Changed || tooLong.Changed);
        Assert.Same(firing, past.Alert);
        Assert.Null(longest.Refusal);
        Assert.Equal(now.AddDays(7), longest.Alert.SnoozedUntil);
    }

    [Fact]
    public void OnlyARaisedAlertCanBeAcknowledgedOrSnoozed()
    {
        var (pending, _) = Run([At(0, 90m)], Policy with { ObservationsToFire = 2 });
        var (resolved, _) = Run([At(0, 90m), At(1, 1m)]);

        Assert.Equal(AlertRefusal.WrongState, AlertLifecycle.Acknowledge(pending!, Start).Refusal);
        Assert.Equal(AlertRefusal.WrongState, AlertLifecycle.Acknowledge(resolved!, Start).Refusal);
        Assert.Equal(AlertRefusal.WrongState, AlertLifecycle.Snooze(resolved!, Start.AddDays(3), Policy, Start.AddDays(2)).Refusal);
    }

    [Fact]
    public void ResolvingByHandAnnouncesItAndWaitsForTheValueToClearBeforeRaisingAgain()
    {
        var (firing, _) = Run([At(0, 120m)]);

        var resolved = AlertLifecycle.Resolve(firing!, Start.AddHours(1));
        var (stillOver, quiet) = Run([At(1, 120m), At(2, 130m)], from: resolved.Alert);
        var (again, sent) = Run([At(3, 50m), At(4, 90m)], from: stillOver);

        Assert.Equal("resolved:1", resolved.Notification!.Transition);
        Assert.Equal(AlertState.Resolved, stillOver!.State);
        Assert.Empty(quiet);
        Assert.Equal(AlertState.Firing, again!.State);
        Assert.Equal(["reopened:2"], sent.Select(s => s.Transition));
        Assert.False(AlertLifecycle.Resolve(resolved.Alert, Start.AddHours(2)).Changed);
    }

    [Fact]
    public void TheSameHourEvaluatedAgainSendsNothing()
    {
        var first = AlertLifecycle.Evaluate(null, At(0, 90m), Policy, Start.AddHours(1));

        var retry = AlertLifecycle.Evaluate(first.Alert, At(0, 90m), Policy, Start.AddDays(3));

        Assert.Single(first.Notifications);
        Assert.Empty(retry.Notifications);
        Assert.False(retry.Changed);
    }

    [Fact]
    public void ABackfillThatLowersAnHourOfTheEpisodeBelowTheBandResolvesAndDoesNotReRaise()
    {
        var (firing, _) = Run([At(0, 85m), At(1, 86m), At(2, 87m)]);

        var lowered = AlertLifecycle.Evaluate(firing, At(1, 40m), Policy, Start.AddDays(1));
        var rerunOfTheLatest = AlertLifecycle.Evaluate(lowered.Alert, At(2, 87m), Policy, Start.AddDays(1));

        Assert.Equal(AlertState.Resolved, lowered.Alert!.State);
        Assert.Equal("resolved:1", Assert.Single(lowered.Notifications).Transition);
        Assert.Equal(AlertState.Resolved, rerunOfTheLatest.Alert!.State);
        Assert.Empty(rerunOfTheLatest.Notifications);
    }

    [Fact]
    public void AnHourOlderThanTheEpisodeDoesNotResolveIt()
    {
        var (reopened, _) = Run([At(0, 90m), At(1, 10m), At(2, 90m)]);

        var replay = AlertLifecycle.Evaluate(reopened, At(1, 10m), Policy, Start.AddDays(1));

        Assert.Equal(AlertState.Firing, replay.Alert!.State);
        Assert.Empty(replay.Notifications);
    }

    [Fact]
    public void AnObservationOfAnotherAlertIsRefused()
    {
        var (alert, _) = Run([At(0, 90m)]);

        Assert.Throws<ArgumentException>(() => AlertLifecycle.Evaluate(alert, new AlertObservation(Key with { Threshold = 100m }, AlertSeverity.Critical, Start.AddHours(1), 120m), Policy, Start));
    }

    [Fact]
    public void AScopeIsWrittenTheSameWayWhateverTheOrderOfItsFilters()
    {
        var a = AlertScopes.Of(new Dictionary<string, IReadOnlyList<string>> { ["project"] = ["b", "a"], ["environment"] = ["prod"] });
        var b = AlertScopes.Of(new Dictionary<string, IReadOnlyList<string>> { ["environment"] = ["prod"], ["project"] = ["a", "b"] });

        Assert.Equal("environment=prod;project=a,b", a);
        Assert.Equal(a, b);
        Assert.Equal("tenant", AlertScopes.Of(new Dictionary<string, IReadOnlyList<string>>()));
        Assert.Equal("project=support-bot", AlertScopes.Project("support-bot"));
    }
}
