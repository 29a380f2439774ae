using Microsoft.DurableTask.Client;
using TokenTally.Application.Alerts.Rules;
using TokenTally.Application.Anomalies;
using TokenTally.Application.Calls;
using TokenTally.Application.Pipeline;
using TokenTally.Application.Projects;
using TokenTally.Application.Rollups;
using TokenTally.Application.Tests.Alerts.Channels;
using TokenTally.Application.Tests.Pipeline;
using TokenTally.Core.Calls;
using TokenTally.Core.Pricing;

namespace TokenTally.Application.Tests.Anomalies;

/// <summary>
/// The anomaly scan as a step of the hour run, in the Durable Task test host on a fake clock: eight days of a support bot's
/// daily rhythm, then one hour in which a runaway code-review agent calls claude-opus-4-1; its anomaly, its contributors, an
/// anomaly_score rule's alert at a loopback webhook receiver, reruns, a backfill and feedback.
/// </summary>
public sealed class AnomalyScanInTheHourRunTests : IAsyncLifetime
{
    private const int HistoryHours = 8 * 24;

    /// <summary>The runaway hour: two days back at 14:00, inside the ledger's retention.</summary>
    private static readonly DateTimeOffset Spike = new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(-2), TimeSpan.Zero).AddHours(14);

    private PipelineTestHost _pipeline = null!;

    private IServiceProvider Services => _pipeline.Services;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _pipeline = await PipelineTestHost.StartAsync(Spike.AddHours(-HistoryHours));

    public ValueTask DisposeAsync() => _pipeline.DisposeAsync();

    [Fact]
    public async Task ARunawayAgentsHourIsOneAnomalyWithItsModelServiceAndUserOnTopThatReRunsAndBackfillsDoNotDuplicateAndFeedbackDesensitizes()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        var tenant = await TenantWithHistoryAsync();
        var channel = await _pipeline.WebhookChannelAsync(tenant, receiver.Url("/hook"));
        var now = _pipeline.Clock.GetUtcNow();
        var rule = new AlertRuleDocument(AlertRuleStore.NewId(), tenant, "cost anomalies", "anomaly_score", new Dictionary<string, IReadOnlyList<string>>(), 1, 0.5m, "critical", 1, [channel], now, now);
        Assert.True((await Services.GetRequiredService<AlertRuleStore>().CreateAsync(rule, Cancellation)).Succeeded);
        await StoreCallsAsync(tenant, Spike, runaway: true);

        var first = await TimerRunAsync(Spike);
        var store = Services.GetRequiredService<AnomalyStore>();
        var stored = await store.ListWindowAsync(tenant, Spike.AddDays(-3), Spike.AddHours(1), Cancellation);
        var cost = Assert.Single(stored, a => a.Series == "cost|tenant");

        Assert.Equal("succeeded", first.Steps.Single(s => s.Name == "anomalies").Status);
        Assert.Equal((Spike, "spike", 0.6), (cost.Hour, cost.Kind, cost.Sensitivity));
        Assert.True(cost.Observed > cost.Upper, $"observed {cost.Observed} within the expected range up to {cost.Upper}");
        Assert.All(stored, a => Assert.Equal(Spike, a.Hour));
        var top = cost.Contributors.GroupBy(c => c.Dimension).ToDictionary(g => g.Key, g => g.OrderByDescending(c => c.ExcessUsd).First());
        Assert.Equal(("claude-opus-4-1", "code-review", "runaway", "engineering"), (top["model"].Value, top["service"].Value, top["user"].Value, top["department"].Value));
        Assert.True(top["model"].Share > 0.95, $"share {top["model"].Share}");
        Assert.InRange((double)top["model"].ExcessUsd, 0.95 * cost.Observed * 0.99, cost.Observed);

        // The rule's alert went out once, with the anomaly's expected range and contributors.
        var alert = Assert.Single(receiver.Requests).BodyText;
        Assert.Contains("Expected range", alert, StringComparison.Ordinal);
        Assert.Contains("model=claude-opus-4-1", alert, StringComparison.Ordinal);
        Assert.Contains("service=code-review", alert, StringComparison.Ordinal);

        // The same hour again, and a backfill of it: the same anomalies under the same ids, and no second alert.
        await TimerRunAsync(Spike);
        var backfill = await _pipeline.RunAsync(Backfill.Name, new BackfillInput(Spike, Spike.AddHours(1), Reprice: false, Settings));
        var again = await store.ListWindowAsync(tenant, Spike.AddDays(-3), Spike.AddHours(1), Cancellation);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, backfill.RuntimeStatus);
        Assert.Equal(stored.Select(a => a.Id).Order(), again.Select(a => a.Id).Order());
        Assert.Single(receiver.Requests.DistinctBy(r => r.Headers["webhook-id"].ToString()));

        // A false positive: the series' next scan runs at a lower sensitivity, and the verdict stays on the anomaly.
        Assert.NotNull(await store.SetVerdictAsync(tenant, cost.Id, AnomalyVerdicts.FalsePositive, _pipeline.Clock.GetUtcNow(), Cancellation));
        await TimerRunAsync(Spike);
        var rescanned = (await store.GetAsync(tenant, cost.Id, Cancellation))!.Value.Anomaly;
        Assert.Equal((0.48, AnomalyVerdicts.FalsePositive), (rescanned.Sensitivity, rescanned.Verdict));
        Assert.All((await store.ListWindowAsync(tenant, Spike, Spike.AddHours(1), Cancellation)).Where(a => a.Series != "cost|tenant"), a => Assert.Equal(0.6, a.Sensitivity));
    }

    private RunSettings Settings => _pipeline.Settings;

    /// <summary>A tenant whose support bot has run for <see cref="HistoryHours"/> hours before the spike, rolled up hour by hour, no hour left marked.</summary>
    private async Task<string> TenantWithHistoryAsync()
    {
        var tenant = "t-" + Guid.NewGuid().ToString("N")[..8];
        await Services.GetRequiredService<ProjectStore>().CreateAsync(tenant, "p", new Dictionary<string, string>(), Cancellation);
        var rollups = Services.GetRequiredService<HourRollupService>();
        for (var h = HistoryHours; h >= 1; h--)
        {
            await StoreCallsAsync(tenant, Spike.AddHours(-h), runaway: false);
            await rollups.RollUpAsync(tenant, Spike.AddHours(-h), Cancellation);
        }

        var changed = Services.GetRequiredService<ChangedHours>();
        foreach (var mark in await changed.ListAsync(Cancellation))
        {
            await changed.ClearAsync(mark, Cancellation);
        }

        return tenant;
    }

    /// <summary>
    /// An hour of the support bot (gpt-4o, 10 to 30 calls by the hour of day, four users) and, when
    /// <paramref name="runaway"/>, 40 large calls of the code-review agent on claude-opus-4-1.
    /// </summary>
    private async Task StoreCallsAsync(string tenant, DateTimeOffset hour, bool runaway)
    {
        var usual = 20 + (int)Math.Round(10 * Math.Sin(2 * Math.PI * hour.Hour / 24));
        var calls = Enumerable.Range(0, usual)
            .Select(i => Call(tenant, hour.AddMinutes(i % 60), $"{hour:yyyyMMddHH}-{i}", "support-bot", "openai", "gpt-4o", "u" + (i % 4), "support", new TokenUsage(800 + (100 * (i % 5)), 100)))
            .ToList();
        if (runaway)
        {
            calls.AddRange(Enumerable.Range(0, 40).Select(i => Call(
                tenant, hour.AddMinutes(i), $"{hour:yyyyMMddHH}-r{i}", "code-review", "anthropic", "claude-opus-4-1", "runaway", "engineering", new TokenUsage(20_000, 2_000))));
        }

        await Services.GetRequiredService<CallRecordStore>().UpsertAsync(calls, TimeSpan.FromDays(30), Cancellation);
    }

    private static StoredCall Call(string tenant, DateTimeOffset at, string id, string service, string provider, string model, string user, string department, TokenUsage usage)
    {
        var e = new CallEvent
        {
            Id = id, Timestamp = at, Tenant = tenant, Project = "p", Service = service, Provider = provider, Model = model, UserId = user, Department = department, Usage = usage, LatencyMs = 300,
        };
        var cost = new Pricer(PriceCatalog.Default).Price(new PricingRequest(provider, model, at, usage)) is PricingOutcome.Priced priced
            ? priced.Cost
            : throw new InvalidOperationException($"{model} has no price.");
        return new StoredCall(e, new PricedCall(provider, model, cost, null, PriceCatalog.Default.Version), at);
    }

    /// <summary>The timer's run of <paramref name="hour"/>, started five minutes after the hour closed on the fake clock; it must succeed.</summary>
    private Task<HourRunReport> TimerRunAsync(DateTimeOffset hour) => _pipeline.TimerRunAsync(hour);

}
