using Microsoft.DurableTask.Client;
using TokenTally.Application.Alerts;
using TokenTally.Application.Budgets;
using TokenTally.Application.Budgets.Status;
using TokenTally.Application.Forecasts;
using TokenTally.Application.Pipeline;
using TokenTally.Application.Rollups;
using TokenTally.Application.Tests.Alerts.Channels;
using TokenTally.Core.Alerts;
using TokenTally.Core.Rollups;

namespace TokenTally.Application.Tests.Pipeline;

/// <summary>
/// The forecast update as a step of the hour run, in the Durable Task test host on a fake clock: a tenant with 30 days of
/// hourly spend and a monthly budget with the forecast rule on.
/// </summary>
public sealed class ForecastsInTheHourRunTests : IAsyncLifetime
{
    /// <summary>Noon of a UTC day three days back: inside the ledger's retention, and never the last hour of its month.</summary>
    private static readonly DateTimeOffset Hour = new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(-3), TimeSpan.Zero).AddHours(12);

    private PipelineTestHost _pipeline = null!;

    private IServiceProvider Services => _pipeline.Services;

    private RunSettings Settings => _pipeline.Settings;

    public async ValueTask InitializeAsync() => _pipeline = await PipelineTestHost.StartAsync(Hour.AddHours(1).AddMinutes(5));

    public ValueTask DisposeAsync() => _pipeline.DisposeAsync();

    [Fact]
    public async Task AnHourRunForecastsTheTenantAndTheBudgetAndTheForecastRuleFiresOnceWhenTheProjectionReachesTheAmount()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var receiver = await HttpReceiver.StartAsync();
        var tenant = await _pipeline.TenantAsync();
        var channel = await _pipeline.WebhookChannelAsync(tenant, receiver.Url("/hook"));
        var budgetId = await BudgetAsync(tenant, 1_000_000m, [100m], channel);
        await HistoryAsync(tenant, days: 30);
        await PipelineWorld.StoreCallsAsync(Services, tenant, "now", Hour.AddMinutes(5), 6);

        var first = await TimerRunAsync();

        var forecasts = Services.GetRequiredService<ForecastStore>();
        var stored = await forecasts.ListAsync(tenant, cancellationToken);
        Assert.Equal(("succeeded", 1), (first.Steps.Single(s => s.Name == "forecasts").Status, first.Steps.Single(s => s.Name == "forecasts").Done));
        Assert.Equal([ForecastStore.BudgetSeries(budgetId), ForecastStore.TenantSeries], stored.Select(f => f.Forecast.Series));
        var forecast = stored[0].Forecast;
        var view = ForecastsApi.ToView(forecast);
        Assert.Equal(Hour, forecast.AsOfHour);
        Assert.Equal(48, view.Hourly.Count);
        Assert.All(view.Hourly, h => Assert.True(h.Lower95Usd <= h.Lower80Usd && h.Lower80Usd <= h.ValueUsd && h.ValueUsd <= h.Upper80Usd && h.Upper80Usd <= h.Upper95Usd));
        Assert.True(view.PeriodEnd.Lower80Usd <= view.PeriodEnd.ValueUsd && view.PeriodEnd.ValueUsd <= view.PeriodEnd.Upper80Usd);
        Assert.True(view.PeriodEnd.Lower80Usd < view.PeriodEnd.Upper80Usd, "A month-end projection with remaining hours has an interval of some width.");
        Assert.Equal(view.Daily[^1].Date, DateOnly.FromDateTime(view.PeriodEnd.End.UtcDateTime.AddHours(-1)));
        Assert.True(view.Backtest.Origins > 0 && view.Backtest.Mase is > 0 && view.Backtest.Coverage80 is >= 0 and <= 1, $"Backtest: {view.Backtest}");

        // The projection starts from the spend the budget counts.
        var budget = (await Services.GetRequiredService<BudgetStore>().GetAsync(tenant, budgetId, cancellationToken))!;
        var spent = (await Services.GetRequiredService<BudgetSpend>().AsOfAsync(tenant, budget.Budget.ToBudget(), Hour, cancellationToken))!.SpendUsd;
        Assert.Equal((double)spent, forecast.Period.ObservedUsd, 6);
        Assert.Empty(receiver.Requests);

        // The status an app checks uses the fresh forecast, with its 80 % interval.
        var status = await Services.GetRequiredService<BudgetStatusService>().GetAsync(tenant, new Dictionary<Dimension, string>());
        var projection = Assert.Single(status.Budgets).Standing.Projection;
        Assert.Equal("forecast", projection.Method);
        Assert.True(projection.Low <= projection.SpendUsd && projection.SpendUsd <= projection.High && projection.SpendUsd >= spent, $"{projection}");

        // The amount is cut to between the spend and the projection: the next check of the hour raises the forecast alert,
        // once, and no threshold alert.
        var lowered = Math.Round((spent + (decimal)forecast.Period.Total.Value) / 2, 4);
        Assert.True((await Services.GetRequiredService<BudgetStore>().ReplaceAsync(budget.Budget with { AmountUsd = lowered }, budget.ETag, cancellationToken)).Succeeded);
        var second = await TimerRunAsync();
        var third = await TimerRunAsync();
        var retried = await Services.GetRequiredService<PipelineActivities>().CheckBudgetsAsync(new TenantHours(tenant, [Hour]), cancellationToken);

        var projected = receiver.Requests.Where(r => r.BodyText.Contains("projected to reach", StringComparison.Ordinal)).DistinctBy(r => r.Headers["webhook-id"].ToString()).ToList();
        var body = Assert.Single(projected).BodyText;
        Assert.Contains("80 % interval", body, StringComparison.Ordinal);
        Assert.Single(receiver.Requests.DistinctBy(r => r.Headers["webhook-id"].ToString()));
        Assert.Equal(0, retried);
        Assert.Equal(0, third.Steps.Single(s => s.Name == "forecasts").Failed);
        Assert.True(second.AlertsTransitioned >= 1);
        var alerts = await Services.GetRequiredService<AlertStore>().ListAsync(tenant, new AlertFilter(), 20, null, cancellationToken);
        var alert = Assert.Single(alerts.Items, a => a.Alert.Key.RuleId == BudgetChecks.ForecastRuleId(budgetId)).Alert;
        Assert.Equal((BudgetChecks.ForecastThreshold, AlertState.Firing, 1, AlertSeverity.Warning), (alert.Key.Threshold, alert.State, alert.Episode, alert.Severity));

        // The budget says what its forecast rule sees.
        var shown = BudgetsApi.ToView((await Services.GetRequiredService<BudgetStore>().GetAsync(tenant, budgetId, cancellationToken))!.Budget, _pipeline.Clock.GetUtcNow(), forecast);
        Assert.StartsWith("projected to exceed the amount", shown.Forecast.Status, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABackfillOfAnOlderHourLeavesTheLatestForecastStandingAndADeletedBudgetLosesItsForecast()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var tenant = await _pipeline.TenantAsync();
        var budgetId = await BudgetAsync(tenant, 100m, [50m, 80m, 100m]);
        await HistoryAsync(tenant, days: 3);
        await TimerRunAsync();
        var forecasts = Services.GetRequiredService<ForecastStore>();
        var latest = (await forecasts.GetAsync(tenant, ForecastStore.TenantSeries, cancellationToken))!;

        var backfill = await _pipeline.RunAsync(Backfill.Name, new BackfillInput(Hour.AddHours(-5), Hour.AddHours(-4), Reprice: false, Settings));
        var afterBackfill = (await forecasts.GetAsync(tenant, ForecastStore.TenantSeries, cancellationToken))!;
        Assert.Equal(OrchestrationRuntimeStatus.Completed, backfill.RuntimeStatus);
        Assert.Equal((Hour, latest.ETag), (afterBackfill.Forecast.AsOfHour, afterBackfill.ETag));

        Assert.True((await Services.GetRequiredService<BudgetStore>().DeleteAsync(tenant, budgetId, null, cancellationToken)).Succeeded);
        await TimerRunAsync();
        Assert.Equal([ForecastStore.TenantSeries], (await forecasts.ListAsync(tenant, cancellationToken)).Select(f => f.Forecast.Series));
    }

    /// <summary>
    /// <paramref name="days"/> days of hourly rollups before <see cref="Hour"/>, as the rollup wrote them from calls the ledger
    /// has since let go: 2 to 4 calls an hour at night, 6 to 8 in the working day.
    /// </summary>
    private async Task HistoryAsync(string tenant, int days)
    {
        var rollups = Services.GetRequiredService<RollupStore>();
        var random = new Random(13);
        for (var at = Hour.AddDays(-days); at < Hour; at = at.AddHours(1))
        {
            var rollup = new HourRollup(500);
            var calls = (at.Hour is >= 8 and < 18 ? 6 : 2) + random.Next(3);
            for (var i = 0; i < calls; i++)
            {
                rollup.Add(CallFact.Of(PipelineWorld.Call(tenant, at.AddMinutes(i), $"old-{at:yyyyMMddHH}-{i}")));
            }

            await rollups.ReplaceHourAsync(tenant, at, rollup.Rows(), TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The timer's run of <see cref="Hour"/>, started five minutes after the hour closed; it must succeed.</summary>
    private Task<HourRunReport> TimerRunAsync() => _pipeline.TimerRunAsync(Hour);

    /// <summary>A tenant-wide monthly budget (UTC) with the forecast rule on.</summary>
    private async Task<string> BudgetAsync(string tenant, decimal amount, IReadOnlyList<decimal> thresholds, params string[] channels)
    {
        var now = _pipeline.Clock.GetUtcNow();
        var budget = new BudgetDocument(
            BudgetStore.NewId(), tenant, "monthly", new Dictionary<string, IReadOnlyList<string>>(), new BudgetPeriodDocument("month", "UTC", null, null),
            amount, thresholds, true, channels, now, now);
        Assert.True((await Services.GetRequiredService<BudgetStore>().CreateAsync(budget, TestContext.Current.CancellationToken)).Succeeded);
        return budget.Id;
    }
}
