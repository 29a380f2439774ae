using TokenTally.Application.Alerts;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Core.Alerts;

namespace TokenTally.Application.Tests.Alerts;

/// <summary>
/// Alerts are stored one document per key: concurrent evaluations apply a transition once, the outbox keeps what is to be
/// sent, and a tenant's alerts page newest first with an opaque cursor.
/// </summary>
public sealed class AlertStoreTests : IDisposable
{
    private static readonly DateTimeOffset Hour = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);
    private readonly TemporarySqliteStore _store = new();

    private AlertStore CreateSut() => new(_store.Store);

    private static AlertObservation Observation(string rule = "budget:b1", decimal threshold = 80m, decimal value = 90m, int hour = 0, string scope = AlertScopes.Tenant, AlertSeverity severity = AlertSeverity.Warning) =>
        new(new AlertKey(rule, scope, "2026-12", threshold), severity, Hour.AddHours(hour), value);

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task ConcurrentEvaluationsOfOneObservationFireOnce()
    {
        var alerts = CreateSut();
        var observation = Observation();

        var evaluations = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
            alerts.EvaluateAsync("acme", observation, AlertPolicy.Default, Hour.AddHours(1), TestContext.Current.CancellationToken))));

        Assert.Equal(1, evaluations.Sum(e => e.Notifications.Count));
        var stored = await alerts.GetAsync("acme", observation.Key.Id, TestContext.Current.CancellationToken);
        Assert.Equal(AlertState.Firing, stored!.Alert.State);
        Assert.Equal("fired", Assert.Single(stored.Document.Outbox).Transition);
    }

    [Fact]
    public async Task ConcurrentEvaluationsOfSuccessiveHoursEachApplyOnceInWhateverOrderTheyLand()
    {
        var alerts = CreateSut();
        var policy = AlertPolicy.Default with { RenotifyInterval = TimeSpan.FromHours(1) };
        await alerts.EvaluateAsync("acme", Observation(hour: 0), policy, Hour.AddHours(1), TestContext.Current.CancellationToken);

        // Hours 1 to 8, each evaluated by four racing tasks: whichever lands, no transition is applied twice.
        var evaluations = await Task.WhenAll(Enumerable.Range(1, 8).SelectMany(h => Enumerable.Repeat(h, 4)).Select(h => Task.Run(() =>
            alerts.EvaluateAsync("acme", Observation(hour: h), policy, Hour.AddHours(h + 1), TestContext.Current.CancellationToken))));

        var sent = evaluations.SelectMany(e => e.Notifications).ToList();
        var stored = await alerts.GetAsync("acme", Observation().Key.Id, TestContext.Current.CancellationToken);
        Assert.Equal(sent.Count, sent.Select(s => s.IdempotencyId).Distinct().Count());
        Assert.Equal(sent.Count + 1, stored!.Document.Outbox.Count);
        Assert.InRange(sent.Count, 1, 8);
    }

    [Fact]
    public async Task ARetriedEvaluationWritesNothingAndAHandTransitionJoinsTheOutbox()
    {
        var alerts = CreateSut();
        var observation = Observation();
        await alerts.EvaluateAsync("acme", observation, AlertPolicy.Default, Hour.AddHours(1), TestContext.Current.CancellationToken);
        var before = await alerts.GetAsync("acme", observation.Key.Id, TestContext.Current.CancellationToken);

        var retry = await alerts.EvaluateAsync("acme", observation, AlertPolicy.Default, Hour.AddHours(5), TestContext.Current.CancellationToken);
        var after = await alerts.GetAsync("acme", observation.Key.Id, TestContext.Current.CancellationToken);
        var resolved = await alerts.ApplyAsync("acme", observation.Key.Id, a => AlertLifecycle.Resolve(a, Hour.AddHours(6)), TestContext.Current.CancellationToken);
        var missing = await alerts.ApplyAsync("acme", "0000000000000000", a => AlertLifecycle.Resolve(a, Hour), TestContext.Current.CancellationToken);

        Assert.False(retry.Changed);
        Assert.Equal(before!.ETag, after!.ETag);
        Assert.Equal(["fired", "resolved:1"], resolved.Alert!.Document.Outbox.Select(t => t.Transition));
        Assert.Null(missing.Alert);
    }

    [Fact]
    public async Task DispatchedNotificationsLeaveTheOutboxAndOnesAddedMeanwhileStay()
    {
        var alerts = CreateSut();
        var ct = TestContext.Current.CancellationToken;
        var observation = Observation();
        await alerts.EvaluateAsync("acme", observation, AlertPolicy.Default, Hour.AddHours(1), ct);
        await alerts.EvaluateAsync("acme", Observation(rule: "budget:quiet", value: 1m), AlertPolicy.Default, Hour.AddHours(1), ct);
        var pending = await alerts.WithOutboxAsync("acme", ct);
        var fired = Assert.Single(Assert.Single(pending).Document.Outbox);

        await alerts.EvaluateAsync("acme", Observation(hour: 1, value: 1m), AlertPolicy.Default, Hour.AddHours(2), ct);
        await alerts.MarkDispatchedAsync("acme", observation.Key.Id, [fired.IdempotencyId], ct);
        await alerts.MarkDispatchedAsync("acme", observation.Key.Id, [fired.IdempotencyId], ct);

        var left = Assert.Single(await alerts.WithOutboxAsync("acme", ct));
        Assert.Equal(["resolved:1"], left.Document.Outbox.Select(t => t.Transition));
    }

    [Fact]
    public async Task AnOutboxIsSentByTheDispatchThatClaimedItUntilItsLeaseEnds()
    {
        var alerts = CreateSut();
        var ct = TestContext.Current.CancellationToken;
        await alerts.EvaluateAsync("acme", Observation(), AlertPolicy.Default, Hour.AddHours(1), ct);
        var id = Observation().Key.Id;
        var until = Hour.AddHours(1).AddMinutes(15);

        var first = await alerts.ClaimOutboxAsync("acme", id, "run-a", Hour.AddHours(1), until, ct);
        var rival = await alerts.ClaimOutboxAsync("acme", id, "run-b", Hour.AddHours(1).AddMinutes(5), until, ct);
        var retry = await alerts.ClaimOutboxAsync("acme", id, "run-a", Hour.AddHours(1).AddMinutes(1), until, ct);
        var afterTheLease = await alerts.ClaimOutboxAsync("acme", id, "run-b", until, until.AddMinutes(15), ct);
        await alerts.MarkDispatchedAsync("acme", id, afterTheLease!.Document.Outbox.Select(t => t.IdempotencyId).ToList(), ct);

        Assert.Single(first!.Document.Outbox);
        Assert.Null(rival);
        Assert.NotNull(retry);
        Assert.Equal("run-b", afterTheLease.Document.Lease!.Owner);
        Assert.Null(await alerts.ClaimOutboxAsync("acme", id, "run-c", until, until.AddMinutes(15), ct));
        Assert.Null((await alerts.GetAsync("acme", id, ct))!.Document.Lease);
    }

    [Fact]
    public async Task PagesAreNewestFirstAndTheCursorContinuesWhereThePreviousPageEnded()
    {
        var alerts = CreateSut();
        for (var i = 0; i < 7; i++)
        {
            // Two alerts share a creation time, so the order falls back to their ids.
            var createdAt = Hour.AddHours(1 + Math.Min(i, 5));
            await alerts.EvaluateAsync("acme", Observation(rule: $"budget:b{i}"), AlertPolicy.Default, createdAt, TestContext.Current.CancellationToken);
        }

        var seen = new List<StoredAlert>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var page = await alerts.ListAsync("acme", new AlertFilter(), 3, cursor, TestContext.Current.CancellationToken);
            seen.AddRange(page.Items);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(7, seen.Select(a => a.Alert.Key.Id).Distinct().Count());
        var expected = seen.OrderByDescending(a => a.Alert.CreatedAt).ThenBy(a => a.Alert.Key.Id, StringComparer.Ordinal).Select(a => a.Alert.Key.Id);
        Assert.Equal(expected, seen.Select(a => a.Alert.Key.Id));
        Assert.Equal(Hour.AddHours(6), seen[0].Alert.CreatedAt);
    }

    [Fact]
    public async Task FiltersMatchStateSeverityRuleAndScopeAndTenantsAreApart()
    {
        var alerts = CreateSut();
        var ct = TestContext.Current.CancellationToken;
        await alerts.EvaluateAsync("acme", Observation(rule: "budget:b1", threshold: 80m), AlertPolicy.Default, Hour, ct);
        await alerts.EvaluateAsync("acme", Observation(rule: "budget:b1", threshold: 100m, value: 120m, severity: AlertSeverity.Critical), AlertPolicy.Default, Hour, ct);
        await alerts.EvaluateAsync("acme", Observation(rule: "budget:b2", scope: AlertScopes.Project("bot")), AlertPolicy.Default, Hour, ct);
        await alerts.EvaluateAsync("acme", Observation(rule: "budget:b2", scope: AlertScopes.Project("bot"), hour: 1, value: 1m), AlertPolicy.Default, Hour, ct);
        await alerts.EvaluateAsync("globex", Observation(), AlertPolicy.Default, Hour, ct);

        async Task<IEnumerable<string>> Rules(AlertFilter filter) =>
            (await alerts.ListAsync("acme", filter, 200, null, ct)).Items.Select(a => $"{a.Alert.Key.RuleId}@{a.Alert.Key.Threshold}").Order();

        Assert.Equal(["budget:b1@100", "budget:b1@80", "budget:b2@80"], await Rules(new AlertFilter()));
        Assert.Equal(["budget:b1@100", "budget:b1@80"], await Rules(new AlertFilter(State: AlertState.Firing)));
        Assert.Equal(["budget:b2@80"], await Rules(new AlertFilter(State: AlertState.Resolved)));
        Assert.Equal(["budget:b1@100"], await Rules(new AlertFilter(Severity: AlertSeverity.Critical)));
        Assert.Equal(["budget:b2@80"], await Rules(new AlertFilter(Rule: "budget:b2")));
        Assert.Equal(["budget:b2@80"], await Rules(new AlertFilter(Scope: "project=bot")));
        Assert.Single((await alerts.ListAsync("globex", new AlertFilter(), 200, null, ct)).Items);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("MTIzOmFiYw")] // "123:abc": an id that is not 16 hex digits
    public void ACursorThisStoreDidNotIssueIsRefused(string cursor) =>
        Assert.False(AlertStore.TryReadCursor(cursor, out _, out _));
}
