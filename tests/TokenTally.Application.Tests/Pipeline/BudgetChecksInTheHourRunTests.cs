using Microsoft.DurableTask.Client;
using TokenTally.Application.Alerts;
using TokenTally.Application.Alerts.Channels;
using TokenTally.Application.Alerts.Rules;
using TokenTally.Application.Budgets;
using TokenTally.Application.Pipeline;
using TokenTally.Application.Tests.Alerts.Channels;
using TokenTally.Core.Alerts;
using TokenTally.Core.Calls;
using TokenTally.Core.Pricing;

namespace TokenTally.Application.Tests.Pipeline;

/// <summary>
/// Budget checks, alert rules and alert dispatch as steps of the hour run, in the Durable Task test host on a fake clock: a daily budget
/// simulated hour by hour, its alerts counted at a loopback webhook receiver.
/// </summary>
public sealed class BudgetChecksInTheHourRunTests : IAsyncLifetime
{
    private const int CallsPerHour = 10;

    /// <summary>A UTC day three days back: inside the ledger's retention, so every hour of it may be rolled up again.</summary>
    private static readonly DateTimeOffset Day = new(DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(-3), TimeSpan.Zero);

    private PipelineTestHost _pipeline = null!;

    private IServiceProvider Services => _pipeline.Services;

    /// <summary>The cost of one hour of calls: the budget is twenty of them, so 50, 80 and 100 % are reached after hours 10, 16 and 20.</summary>
    private static decimal HourCost =>
        CallsPerHour * (new Pricer(PriceCatalog.Default).Price(new PricingRequest("openai", "gpt-4o", Day, new TokenUsage(1_000, 100))) is PricingOutcome.Priced priced
            ? priced.Cost.Total
            : throw new InvalidOperationException("gpt-4o has no price."));

    public async ValueTask InitializeAsync() => _pipeline = await PipelineTestHost.StartAsync(Day.AddHours(1).AddMinutes(5));

    public ValueTask DisposeAsync() => _pipeline.DisposeAsync();

    [Fact]
    public async Task ADaySimulatedHourByHourCrossing50And80And100PercentSendsExactlyThreeAlertsAndNoRerunBackfillOrRetrySendsMore()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        var tenant = await _pipeline.TenantAsync();
        var channel = await _pipeline.WebhookChannelAsync(tenant, receiver.Url("/hook"));
        await BudgetAsync(tenant, "daily", "day", 20 * HourCost, channel);

        var transitioned = 0;
        for (var h = 0; h < 24; h++)
        {
            // Activities retried by Durable: at hour 10 (50 %) the dispatch fails after sending, before it empties the
            // outbox, and sends again; at hour 16 (80 %) the check fails on its alert write and evaluates again.
            if (h is 9 or 15)
            {
                _pipeline.World.Faults.FailAlertWrite(h == 9 ? 3 : 1);
            }

            await PipelineWorld.StoreCallsAsync(Services, tenant, $"h{h}", Day.AddHours(h), CallsPerHour);
            transitioned += (await TimerRunAsync(Day.AddHours(h))).AlertsTransitioned;
        }

        var sent = receiver.Requests.ToList();
        var kept = sent.DistinctBy(r => r.Headers["webhook-id"].ToString()).ToList();

        // The same day again: every hour run again, a backfill of the day, and both activities run once more by hand, as a
        // Durable retry would run them.
        for (var h = 0; h < 24; h++)
        {
            Assert.Equal(0, (await TimerRunAsync(Day.AddHours(h))).AlertsTransitioned);
        }

        var backfill = await _pipeline.RunAsync(Backfill.Name, new BackfillInput(Day, Day.AddDays(1), Reprice: false, Settings));
        var activities = Services.GetRequiredService<PipelineActivities>();
        var retried = await activities.CheckBudgetsAsync(new TenantHours(tenant, [.. Enumerable.Range(0, 24).Select(h => Day.AddHours(h))]), TestContext.Current.CancellationToken);
        var redispatched = await activities.DispatchAlertsAsync(new DispatchRequest(tenant, "by-hand"), TestContext.Current.CancellationToken);

        // Four requests: the 50 % alert twice under one webhook-id (the retried dispatch), which the receiver keeps once.
        Assert.Equal(2, _pipeline.World.Faults.AlertWriteFailures);
        Assert.Equal(3, transitioned);
        Assert.Equal(4, sent.Count);
        Assert.Equal(sent[0].Headers["webhook-id"].ToString(), sent[1].Headers["webhook-id"].ToString());
        Assert.Equal(3, kept.Count);
        Assert.Contains("(threshold 50 %)", kept[0].BodyText, StringComparison.Ordinal);
        Assert.Contains("(threshold 80 %)", kept[1].BodyText, StringComparison.Ordinal);
        Assert.Contains("(threshold 100 %)", kept[2].BodyText, StringComparison.Ordinal);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, backfill.RuntimeStatus);
        Assert.Equal((0, 0), (retried, redispatched.Notifications));
        Assert.Equal(4, receiver.Requests.Count);
        var alerts = await Services.GetRequiredService<AlertStore>().ListAsync(tenant, new AlertFilter(), 10, null, TestContext.Current.CancellationToken);
        Assert.Equal([100m, 80m, 50m], alerts.Items.Select(a => a.Alert.Key.Threshold).OrderDescending());
        Assert.All(alerts.Items, a => Assert.Equal((AlertState.Firing, 1), (a.Alert.State, a.Alert.Episode)));
    }

    [Fact]
    public async Task AMonthSimulatedHourByHourSendsExactlyThreeBudgetAlertsAndASecondIdenticalRunSendsNone()
    {
        // Next calendar month, walked by the fake clock: its calls stay within retention on every clock there is.
        var month = new DateTimeOffset(Day.Year, Day.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
        var hours = (int)(month.AddMonths(1) - month).TotalHours;
        var eighty = (hours * 8 / 10) - 1;
        await using var receiver = await HttpReceiver.StartAsync();
        var tenant = await _pipeline.TenantAsync();
        var channel = await _pipeline.WebhookChannelAsync(tenant, receiver.Url("/hook"));
        await BudgetAsync(tenant, "monthly", "month", hours * HourCost / CallsPerHour, channel);
        var alerts = Services.GetRequiredService<AlertStore>();

        async Task<int> WalkTheMonthAsync(bool store)
        {
            var transitioned = 0;
            for (var h = 0; h < hours; h++)
            {
                if (store)
                {
                    // One call an hour: 50 % is reached at the month's middle hour, 100 % at its last.
                    await PipelineWorld.StoreCallsAsync(Services, tenant, $"m{h}", month.AddHours(h), 1);
                }

                // The first run of each day is the orchestration; the other hours run its activities in the same order,
                // which is all the orchestration does, at a fraction of the test host's cost per run.
                transitioned += h % 24 == 0 || h == eighty
                    ? (await TimerRunAsync(month.AddHours(h), failAlertWrite: store && h == eighty)).AlertsTransitioned
                    : await RunActivitiesAsync(month.AddHours(h));

                // Whoever is on call acknowledges what fired, so nothing is re-notified.
                foreach (var firing in (await alerts.ListAsync(tenant, new AlertFilter(AlertState.Firing), 10, null, TestContext.Current.CancellationToken)).Items)
                {
                    await alerts.ApplyAsync(tenant, firing.Alert.Key.Id, a => AlertLifecycle.Acknowledge(a, _pipeline.Clock.GetUtcNow()), TestContext.Current.CancellationToken);
                }
            }

            return transitioned;
        }

        var first = await WalkTheMonthAsync(store: true);
        var sentByTheFirstRun = receiver.Requests.Count;
        var second = await WalkTheMonthAsync(store: false);
        var backfill = await _pipeline.RunAsync(Backfill.Name, new BackfillInput(month.AddMonths(1).AddDays(-1), month.AddMonths(1), Reprice: false, Settings));

        Assert.Equal(3, first);
        Assert.Equal(3, sentByTheFirstRun);
        Assert.Equal(0, second);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, backfill.RuntimeStatus);
        Assert.Equal(3, receiver.Requests.Count);
        Assert.Equal(1, _pipeline.World.Faults.AlertWriteFailures);
        string[] thresholds = ["(threshold 50 %)", "(threshold 80 %)", "(threshold 100 %)"];
        Assert.Equal(thresholds, receiver.Requests.Select(r => thresholds.Single(t => r.BodyText.Contains(t, StringComparison.Ordinal))));
    }

    /// <summary>What an hour run does, activity by activity, without the orchestration: plan, roll up, check, dispatch.</summary>
    private async Task<int> RunActivitiesAsync(DateTimeOffset hour)
    {
        _pipeline.AdvanceClockTo(hour.AddHours(1).AddMinutes(5));
        var activities = Services.GetRequiredService<PipelineActivities>();
        var cancellationToken = TestContext.Current.CancellationToken;
        var plan = await activities.PlanAsync(new PlanRequest(hour, RunTrigger.Timer, Settings.MaxChangedHours, Settings.FallbackHours), cancellationToken);
        foreach (var item in plan.Work)
        {
            await activities.RollUpAsync(item, cancellationToken);
        }

        var transitioned = 0;
        foreach (var tenant in plan.Work.GroupBy(w => w.Tenant))
        {
            transitioned += await activities.CheckBudgetsAsync(new TenantHours(tenant.Key, [.. tenant.Select(w => w.Hour).Distinct().Order()]), cancellationToken);
            await activities.DispatchAlertsAsync(new DispatchRequest(tenant.Key, $"inline-{hour:yyyyMMddHH}"), cancellationToken);
        }

        return transitioned;
    }

    [Fact]
    public async Task ABackfillThatLowersSpendBelowTheResolveLineResolvesTheAlertAndDoesNotRaiseItAgain()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        var tenant = await _pipeline.TenantAsync();
        var channel = await _pipeline.WebhookChannelAsync(tenant, receiver.Url("/hook"));
        await BudgetAsync(tenant, "daily", "day", 20 * HourCost, channel);
        for (var h = 0; h < 18; h++)
        {
            await PipelineWorld.StoreCallsAsync(Services, tenant, $"h{h}", Day.AddHours(h), CallsPerHour);
            await TimerRunAsync(Day.AddHours(h));
        }

        var firedBefore = receiver.Requests.Count;

        // Hours 15 to 17 lose their calls to the day before: at hour 15 the day has spent 15 hours' worth, 75 %, under
        // 80 × (1 − 5 %) = 76 %.
        for (var h = 15; h < 18; h++)
        {
            await PipelineWorld.StoreCallsAsync(Services, tenant, $"h{h}", Day.AddDays(-1).AddHours(h), CallsPerHour);
        }

        var backfill = await _pipeline.RunAsync(Backfill.Name, new BackfillInput(Day.AddHours(15), Day.AddHours(18), Reprice: false, Settings));
        var alerts = (await Services.GetRequiredService<AlertStore>().ListAsync(tenant, new AlertFilter(), 10, null, TestContext.Current.CancellationToken)).Items
            .ToDictionary(a => a.Alert.Key.Threshold, a => a.Alert.State);

        Assert.Equal(2, firedBefore);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, backfill.RuntimeStatus);
        Assert.Equal(new Dictionary<decimal, AlertState> { [50m] = AlertState.Firing, [80m] = AlertState.Resolved }, alerts);

        // The backfill's hour runs run side by side, and each dispatches the tenant's outbox: the one that claims it sends.
        var resolved = receiver.Requests.Skip(firedBefore).ToList();
        Assert.Contains("back under 80 %", Assert.Single(resolved).BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAlertRuleOnCostPerHourFiresWhenAnHourDoublesAndResolvesWhenItCalmsDown()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        var tenant = await _pipeline.TenantAsync();
        var channel = await _pipeline.WebhookChannelAsync(tenant, receiver.Url("/hook"));
        var now = _pipeline.Clock.GetUtcNow();
        var rule = new AlertRuleDocument(AlertRuleStore.NewId(), tenant, "hourly spend", "cost_per_hour", new Dictionary<string, IReadOnlyList<string>>(), 1, 1.5m * HourCost, "critical", 1, [channel], now, now);
        Assert.True((await Services.GetRequiredService<AlertRuleStore>().CreateAsync(rule, TestContext.Current.CancellationToken)).Succeeded);

        var transitions = new List<int>();
        foreach (var (h, calls) in new[] { (0, CallsPerHour), (1, CallsPerHour), (2, 2 * CallsPerHour), (3, 2 * CallsPerHour), (4, CallsPerHour) })
        {
            await PipelineWorld.StoreCallsAsync(Services, tenant, $"h{h}", Day.AddHours(h), calls);
            transitions.Add((await TimerRunAsync(Day.AddHours(h))).AlertsTransitioned);
        }

        Assert.Equal([0, 0, 1, 0, 1], transitions);
        Assert.Equal(2, receiver.Requests.Count);
        Assert.Contains("hourly spend", receiver.Requests.First().BodyText, StringComparison.Ordinal);
        Assert.Contains("cost_per_hour", receiver.Requests.First().BodyText, StringComparison.Ordinal);
        Assert.Contains("back to normal", receiver.Requests.Last().BodyText, StringComparison.Ordinal);
        var alert = Assert.Single((await Services.GetRequiredService<AlertStore>().ListAsync(tenant, new AlertFilter(), 10, null, TestContext.Current.CancellationToken)).Items).Alert;
        Assert.Equal(("rule:" + rule.Id, AlertState.Resolved, AlertSeverity.Critical), (alert.Key.RuleId, alert.State, alert.Severity));
    }

    [Fact]
    public async Task AChannelThatIsDownIsRecordedAsFailedAndNeitherBlocksTheOtherChannelNorFailsTheRun()
    {
        await using var up = await HttpReceiver.StartAsync();
        await using var down = await HttpReceiver.StartAsync((_, _) => new ReceiverAnswer(500));
        var tenant = await _pipeline.TenantAsync();
        var working = await _pipeline.WebhookChannelAsync(tenant, up.Url("/hook"));
        var failing = await _pipeline.WebhookChannelAsync(tenant, down.Url("/hook"));
        await BudgetAsync(tenant, "daily", "day", 2 * HourCost, working, failing);

        await PipelineWorld.StoreCallsAsync(Services, tenant, "h0", Day, CallsPerHour);
        var report = await TimerRunAsync(Day);

        Assert.Equal(1, report.AlertsTransitioned);
        Assert.Single(up.Requests);
        Assert.Equal(2, down.Requests.Count);
        Assert.Equal((2, 1), (report.DeliveriesAttempted, report.DeliveriesFailed));
        Assert.Equal(DeliveryOutcome.Failed, report.Deliveries![0].Outcome);
        var deliveries = report.Deliveries.ToDictionary(d => d.ChannelId);
        Assert.Equal(DeliveryOutcome.Delivered, deliveries[working].Outcome);
        Assert.Equal((DeliveryOutcome.Failed, 2), (deliveries[failing].Outcome, deliveries[failing].Attempts));
        Assert.Equal("succeeded", report.Steps.Single(s => s.Name == "alerts").Status);
    }

    private RunSettings Settings => _pipeline.Settings;

    /// <summary>The timer's run of <paramref name="hour"/>, started five minutes after the hour closed on the fake clock; it must succeed.</summary>
    private Task<HourRunReport> TimerRunAsync(DateTimeOffset hour, bool failAlertWrite = false)
    {
        if (failAlertWrite)
        {
            // The check's first alert write fails: Durable retries the activity, which evaluates again.
            _pipeline.World.Faults.FailAlertWrite(1);
        }

        return _pipeline.TimerRunAsync(hour);
    }

    private async Task BudgetAsync(string tenant, string name, string period, decimal amount, params string[] channels)
    {
        var now = _pipeline.Clock.GetUtcNow();
        var budget = new BudgetDocument(
            BudgetStore.NewId(), tenant, name, new Dictionary<string, IReadOnlyList<string>>(), new BudgetPeriodDocument(period, "UTC", null, null),
            amount, [50m, 80m, 100m], false, channels, now, now);
        Assert.True((await Services.GetRequiredService<BudgetStore>().CreateAsync(budget, TestContext.Current.CancellationToken)).Succeeded);
    }
}
