using TokenTally.Core.Budgets;
using TokenTally.Core.Forecasting;

namespace TokenTally.Application.Forecasts;

/// <summary>
/// The forecast update of an hour run for one tenant: for its total spend (over the calendar month in UTC) and for the
/// scopes other features name (<see cref="IForecastTargets"/>: each budget whose period is under way), up to <see cref="HistoryDays"/> days of hourly cost up to the end of the hour,
/// forecast <see cref="HorizonHours"/> hours ahead and projected to the end of the period, stored one document per series.
/// </summary>
/// <remarks>
/// Idempotent: the forecast is a pure function of the rollups and the hour, so a retry or rerun writes the same document
/// (which the store recognises and leaves as it is); the store keeps the forecast of the latest hour, so a backfill of old
/// hours does not replace it with an older one. Forecasts of series no longer named (a budget gone or not under way) are deleted.
/// </remarks>
public sealed class ForecastUpdate(IEnumerable<IForecastTargets> scopes, HourlyCostSeries costs, ForecastStore forecasts)
{
    /// <summary>The history the forecasts are fitted on, at most.</summary>
    public const int HistoryDays = 90;

    /// <summary>The hours of the hourly forecast.</summary>
    public const int HorizonHours = 48;

    /// <summary>The name of the model the forecasts come from, as the API shows it.</summary>
    public const string Model = "hourly-ensemble (daily and weekly seasonal methods, backtest-calibrated intervals)";

    private static readonly BudgetPeriod TenantPeriod = BudgetPeriod.Recurring(BudgetPeriodKind.Month, TimeZoneInfo.Utc);
    private static readonly HourlyForecaster Forecaster = new();

    /// <summary>Forecasts every series of <paramref name="tenant"/> as of the end of <paramref name="hour"/>; returns how many documents changed.</summary>
    public async Task<int> UpdateAsync(string tenant, DateTimeOffset hour, CancellationToken cancellationToken)
    {
        var targets = new List<ForecastTarget>
        {
            new(ForecastStore.TenantSeries, BudgetScope.Tenant, new Dictionary<string, IReadOnlyList<string>>(), TenantPeriod.Containing(hour)!, TimeZoneInfo.Utc),
        };
        foreach (var source in scopes)
        {
            targets.AddRange(await source.OfAsync(tenant, hour, cancellationToken));
        }

        var end = hour.AddHours(1);
        var from = end.AddDays(-HistoryDays);
        var series = await costs.ReadAsync(tenant, [.. targets.Select(t => t.Scope)], from, end, cancellationToken);
        var changed = 0;
        for (var i = 0; i < targets.Count; i++)
        {
            var (name, _, scope, period, zone) = targets[i];
            var history = Trimmed(from, series[i]);
            var hourly = Forecaster.Forecast(history, HorizonHours);
            var projection = Forecaster.ForecastPeriod(history, period, zone);
            var document = new ForecastDocument(
                tenant, name, scope, hour, Model, history.Values.Count, hourly.Hours, hourly.ExpectedHours,
                new PeriodForecastDocument(period.Start, period.End, zone.Id, projection.Observed, projection.Total, projection.Days, projection.AggregateOrigins),
                hourly.Backtest);
            changed += await forecasts.PutAsync(document, cancellationToken) ? 1 : 0;
        }

        var current = targets.Select(t => t.Series).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in (await forecasts.ListAsync(tenant, cancellationToken)).Where(f => !current.Contains(f.Forecast.Series) && f.Forecast.AsOfHour <= hour))
        {
            await forecasts.DeleteAsync(tenant, stale.Forecast.Series, cancellationToken);
            changed++;
        }

        return changed;
    }

    /// <summary>
    /// The history from the first hour with spend: the hours before a scope's first spend are not spend of 0 but no history
    /// at all, and would drag the forecast down. At least the last day is kept, so a scope without spend forecasts 0.
    /// </summary>
    private static HourlySeries Trimmed(DateTimeOffset from, double[] values)
    {
        var first = Array.FindIndex(values, v => v > 0);
        var start = Math.Min(first < 0 ? values.Length : first, values.Length - 24);
        return new HourlySeries(from.AddHours(start), values[start..]);
    }
}
