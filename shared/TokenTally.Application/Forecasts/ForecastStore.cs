using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TokenTally.Application.Json;
using TokenTally.Core.Budgets;
using TokenTally.Core.Forecasting;
using TokenTally.Storage.Documents;

namespace TokenTally.Application.Forecasts;

/// <summary>A series' forecast as stored: the hourly forecast of the next hours and the projection of the period under way.</summary>
/// <param name="Tenant">The tenant.</param>
/// <param name="Series"><c>tenant</c> (the tenant's total spend) or <c>budget:&lt;id&gt;</c> (a budget's scope).</param>
/// <param name="Scope">The filters of the series' scope, by dimension name; empty for the tenant.</param>
/// <param name="AsOfHour">The last hour of the history: the forecast knows the rollups up to the end of it.</param>
/// <param name="Model">The forecaster that made it.</param>
/// <param name="HistoryHours">How many hours of history it was fitted on.</param>
/// <param name="Hourly">The next hours from the end of <paramref name="AsOfHour"/>: median with 80 % and 95 % intervals.</param>
/// <param name="ExpectedHourly">The expected spend of each of those hours (what sums add up).</param>
/// <param name="Period">The period under way projected to its end.</param>
/// <param name="Backtest">The model's accuracy on the series' own recent past.</param>
public sealed record ForecastDocument(
    string Tenant,
    string Series,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Scope,
    DateTimeOffset AsOfHour,
    string Model,
    int HistoryHours,
    IReadOnlyList<ForecastInterval> Hourly,
    IReadOnlyList<double> ExpectedHourly,
    PeriodForecastDocument Period,
    BacktestAccuracy Backtest)
{
    /// <summary>The start of the first forecast hour.</summary>
    public DateTimeOffset Origin => AsOfHour.AddHours(1);
}

/// <summary>A period's projection as stored.</summary>
/// <param name="Start">The period's first instant (UTC).</param>
/// <param name="End">The first instant after the period (UTC).</param>
/// <param name="TimeZone">The IANA zone whose local days <paramref name="Days"/> are.</param>
/// <param name="ObservedUsd">Spend in the period up to the forecast's origin.</param>
/// <param name="Total">Projected spend by the period's end, with intervals.</param>
/// <param name="Days">Each local day from the current one to the period's last.</param>
/// <param name="AggregateOrigins">Backtest origins behind the day and total intervals (0: sums of the hourly bounds).</param>
public sealed record PeriodForecastDocument(
    DateTimeOffset Start, DateTimeOffset End, string TimeZone, double ObservedUsd, ForecastInterval Total, IReadOnlyList<DailyForecast> Days, int AggregateOrigins)
{
    /// <summary>Whether this is the projection of <paramref name="period"/>.</summary>
    public bool Projects(PeriodWindow period) => period is not null && Start == period.Start && End == period.End;
}

/// <summary>A stored forecast with the etag of its document.</summary>
public sealed record StoredForecast(ForecastDocument Forecast, string ETag);

/// <summary>
/// Forecasts in the config container: partition <c>&lt;tenant&gt;|forecasts</c>, id and range key
/// <c>forecast:&lt;series&gt;</c>, one document per series, overwritten by every forecast update. A write never replaces a
/// forecast made as of a later hour (a backfill of old hours leaves the latest forecast standing), and writing the same
/// forecast again changes nothing.
/// </summary>
public sealed class ForecastStore(IDocumentStore store)
{
    /// <summary>The series of a tenant's total spend.</summary>
    public const string TenantSeries = "tenant";

    private const string IdPrefix = "forecast:";
    private const int MaxAttempts = 5;
    private static readonly RangeKeyFilter All = new(IdPrefix, "forecast;");

    /// <summary>The partition of a tenant's forecasts.</summary>
    public static string Partition(string tenant) => tenant + "|forecasts";

    /// <summary>The series of a budget's scope: <c>budget:&lt;id&gt;</c>.</summary>
    public static string BudgetSeries(string budgetId) => "budget:" + budgetId;

    public async Task<StoredForecast?> GetAsync(string tenant, string series, CancellationToken cancellationToken) =>
        await store.GetAsync(DocumentContainer.Config, Partition(tenant), IdPrefix + series, cancellationToken) is { } document ? Read(document) : null;

    /// <summary>Every forecast of <paramref name="tenant"/>, by series.</summary>
    public async Task<IReadOnlyList<StoredForecast>> ListAsync(string tenant, CancellationToken cancellationToken)
    {
        var forecasts = new List<StoredForecast>();
        await foreach (var document in store.QueryPartitionAsync(DocumentContainer.Config, Partition(tenant), All, cancellationToken))
        {
            forecasts.Add(Read(document));
        }

        return forecasts.OrderBy(f => f.Forecast.Series, StringComparer.Ordinal).ToList();
    }

    /// <summary>Writes <paramref name="forecast"/> unless the stored one is as of a later hour; returns whether it wrote anything.</summary>
    public async Task<bool> PutAsync(ForecastDocument forecast, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(forecast);
        var json = JsonSerializer.Serialize(forecast, TokenTallyJson.Options);
        var id = IdPrefix + forecast.Series;
        var write = DocumentWrite.FromJson(Partition(forecast.Tenant), id, json, rangeKey: id, contentHash: Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json))));
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var current = await GetAsync(forecast.Tenant, forecast.Series, cancellationToken);
            if (current is not null && current.Forecast.AsOfHour > forecast.AsOfHour)
            {
                return false;
            }

            var condition = current is null ? WriteCondition.IfNotExists : WriteCondition.IfMatch(current.ETag);
            var written = await store.UpsertAsync(DocumentContainer.Config, write, condition, cancellationToken);
            if (written.Succeeded)
            {
                return !written.Unchanged;
            }
        }

        throw new InvalidOperationException($"Forecast {forecast.Tenant}/{forecast.Series} kept changing under {MaxAttempts} writes in a row.");
    }

    /// <summary>Deletes the forecast of a series that is gone (a deleted budget).</summary>
    public Task<WriteResult> DeleteAsync(string tenant, string series, CancellationToken cancellationToken) =>
        store.DeleteAsync(DocumentContainer.Config, Partition(tenant), IdPrefix + series, null, cancellationToken);

    private static StoredForecast Read(StoredDocument document) =>
        new(document.As<ForecastDocument>(TokenTallyJson.Options) ?? throw new InvalidOperationException($"Document {document.PartitionKey}/{document.Id} is empty."), document.ETag);
}
