using FsCheck;
using FsCheck.Fluent;
using TokenTally.Core.Alerts;

namespace TokenTally.Core.Tests.Alerts;

/// <summary>
/// Properties of the alert state machine over generated observation sequences: it does not flap inside the hysteresis
/// band, fires at most once per key, never sends one transition twice, and replaying what it has seen sends nothing.
/// </summary>
public sealed class AlertLifecyclePropertyTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(2_000);
    private static readonly AlertKey Key = new("budget:b1", AlertScopes.Tenant, "2026-12", 80m);
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly Gen<AlertPolicy> Policies =
        from band in Gen.Elements(0m, 0.01m, 0.05m, 0.2m)
        from toFire in Gen.Choose(1, 3)
        from renotify in Gen.Choose(1, 30)
        select new AlertPolicy(band, toFire, TimeSpan.FromHours(renotify), TimeSpan.FromDays(7));

    /// <summary>Values around the threshold: far below, inside the band, at, over.</summary>
    private static readonly Gen<decimal> Values = Gen.OneOf(
        Gen.Choose(0, 12_000).Select(n => n / 100m),
        Gen.Elements(75.99m, 76m, 79.99m, 80m, 80.01m));

    /// <summary>One value per hour (what the rule computes for it), and the order the hours are evaluated in: out of order and repeated, as retries, reruns and backfills do.</summary>
    private static readonly Gen<(decimal[] ValueOfHour, int[] Order)> Histories =
        from values in Gen.ArrayOf(Values, 24)
        from order in Gen.ArrayOf(Gen.Choose(0, 23))
        select (values, order);

    /// <summary>
    /// The hourly run evaluates each hour once, in order; retries, reruns and backfills evaluate hours already seen again
    /// (with the value the rule computes for them), interleaved anywhere after them.
    /// </summary>
    private static readonly Gen<(decimal[] ValueOfHour, int[] Order)> LiveHistories =
        from values in Gen.ArrayOf(Values, 24)
        from replays in Gen.ArrayOf(from hour in Gen.Choose(0, 23) from after in Gen.Choose(0, 23) select (Hour: hour, After: Math.Max(hour, after)))
        select (values, Enumerable.Range(0, 24).SelectMany(h => replays.Where(r => r.After == h).Select(r => r.Hour).Prepend(h)).ToArray());

    private static AlertObservation Observe(int hour, decimal value) => new(Key, AlertSeverity.Warning, Start.AddHours(hour), value);

    private static (Alert? Alert, List<AlertTransition> Sent) Run(Alert? alert, IEnumerable<AlertObservation> observations, AlertPolicy policy)
    {
        var sent = new List<AlertTransition>();
        foreach (var observation in observations)
        {
            var evaluation = AlertLifecycle.Evaluate(alert, observation, policy, observation.Hour.AddHours(1));
            Assert.True(evaluation.Changed || evaluation.Alert == alert, "An evaluation that changes nothing returns the alert as it was.");
            Assert.True(evaluation.Notifications.Count == 0 || evaluation.Changed, "A notification always comes with a state to write.");
            alert = evaluation.Alert;
            sent.AddRange(evaluation.Notifications);
        }

        return (alert, sent);
    }

    [Fact]
    public void AValueOscillatingInsideTheBandNeverResolvesOrFiresAgain()
    {
        var inBand = Gen.Choose(7_600, 8_400).Select(n => n / 100m);
        var property = Prop.ForAll(Gen.ArrayOf(inBand).ToArbitrary(), values =>
        {
            var policy = AlertPolicy.Default with { RenotifyInterval = TimeSpan.FromDays(365) };
            var (alert, sent) = Run(null, new[] { 80m }.Concat(values).Select((v, h) => Observe(h, v)), policy);

            Assert.Equal([AlertNotificationKind.Fired], sent.Select(s => s.Kind));
            Assert.Equal(AlertState.Firing, alert!.State);
        });

        Check.One(Runs, property);
    }

    [Fact]
    public void AnyHistoryFiresAtMostOnceAndNeverSendsATransitionTwice()
    {
        var property = Prop.ForAll(Histories.ToArbitrary(), Policies.ToArbitrary(), (history, policy) =>
        {
            var (_, sent) = Run(null, history.Order.Select(h => Observe(h, history.ValueOfHour[h])), policy);

            Assert.True(sent.Count(s => s.Kind == AlertNotificationKind.Fired) <= 1);
            Assert.Equal(sent.Count, sent.Select(s => s.IdempotencyId).Distinct().Count());
        });

        Check.One(Runs, property);
    }

    [Fact]
    public void EvaluatingEveryObservationTwiceSendsWhatEvaluatingItOnceSends()
    {
        var property = Prop.ForAll(Histories.ToArbitrary(), Policies.ToArbitrary(), (history, policy) =>
        {
            var observations = history.Order.Select(h => Observe(h, history.ValueOfHour[h])).ToList();

            var (once, sentOnce) = Run(null, observations, policy);
            var (twice, sentTwice) = Run(null, observations.SelectMany(o => new[] { o, o }), policy);

            Assert.Equal(sentOnce.Select(s => s.IdempotencyId), sentTwice.Select(s => s.IdempotencyId));
            Assert.Equal(once?.State, twice?.State);
        });

        Check.One(Runs, property);
    }

    [Fact]
    public void ReplayingAnyPrefixOfWhatWasSeenSendsNothingMore()
    {
        var cases =
            from history in LiveHistories
            from prefix in Gen.Choose(0, history.Order.Length)
            select (history, prefix);
        var property = Prop.ForAll(cases.ToArbitrary(), Policies.ToArbitrary(), (c, policy) =>
        {
            var observations = c.history.Order.Select(h => Observe(h, c.history.ValueOfHour[h])).ToList();
            var (alert, _) = Run(null, observations, policy);

            var (_, replayed) = Run(alert, observations.Take(c.prefix), policy);

            Assert.Empty(replayed);
        });

        Check.One(Runs, property);
    }

    [Fact]
    public void AValueThatOnlyRisesFiresExactlyOnceAndNeverResolves()
    {
        var steps = Gen.ArrayOf(Gen.Choose(0, 1_000).Select(n => n / 100m));
        var property = Prop.ForAll(steps.ToArbitrary(), increments =>
        {
            var total = 0m;
            var values = increments.Select(i => total += i).Append(total + 80m);
            var (alert, sent) = Run(null, values.Select((v, h) => Observe(h, v)), AlertPolicy.Default with { RenotifyInterval = TimeSpan.FromDays(365) });

            Assert.Equal([AlertNotificationKind.Fired], sent.Select(s => s.Kind));
            Assert.Equal(AlertState.Firing, alert!.State);
        });

        Check.One(Runs, property);
    }
}
