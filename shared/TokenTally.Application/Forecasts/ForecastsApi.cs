using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using TokenTally.Application.Projects;

namespace TokenTally.Application.Forecasts;

/// <summary>
/// One series' forecast: the next hours with 80 % and 95 % intervals, each local day to the period's end, the period-end
/// projection, and the backtest accuracy of the model that made it.
/// </summary>
public sealed record SeriesForecastView(
    string Series,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Scope,
    DateTimeOffset AsOfHour,
    string Model,
    int HistoryHours,
    IReadOnlyList<HourForecastView> Hourly,
    IReadOnlyList<DayForecastView> Daily,
    PeriodEndView PeriodEnd,
    BacktestView Backtest);

/// <summary>One forecast hour: <c>valueUsd</c> is the median; the bounds are the 80 % and 95 % prediction intervals.</summary>
public sealed record HourForecastView(DateTimeOffset Start, double ValueUsd, double Lower80Usd, double Upper80Usd, double Lower95Usd, double Upper95Usd);

/// <summary>One local day of the period: spend observed so far that day and the day's projected total with its intervals.</summary>
public sealed record DayForecastView(DateOnly Date, double ObservedUsd, double ValueUsd, double Lower80Usd, double Upper80Usd, double Lower95Usd, double Upper95Usd);

/// <summary>The period under way, projected to its end: observed spend plus the expected rest, with intervals.</summary>
public sealed record PeriodEndView(DateTimeOffset Start, DateTimeOffset End, string TimeZone, double ObservedUsd, double ValueUsd, double Lower80Usd, double Upper80Usd, double Lower95Usd, double Upper95Usd);

/// <summary>
/// The model's rolling-origin backtest on the series' own past: MASE (seasonal period 24), sMAPE in percent and the share of
/// hours inside the 80 % and 95 % intervals; null where the history was too short.
/// </summary>
public sealed record BacktestView(int Origins, int HorizonHours, double? Mase, double? SymmetricMapePercent, double? Coverage80, double? Coverage95);

/// <summary>
/// Forecasts of a tenant's spend: the admin key names the tenant (<c>?tenant=acme</c>); a <c>read:tenant</c> key reads all
/// of its tenant's series; a <c>read:project</c> key only the series of budgets scoped to its project alone.
/// </summary>
public static partial class ForecastsApi
{
    public static IEndpointRouteBuilder MapForecastsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/forecasts", ListAsync).WithTags("Forecasts").WithName("ListForecasts").RequireAuthorization(Policies.AdminOrRead)
            .WithSummary("Spend forecasts with 80 % and 95 % intervals: the next 48 hours, each day to the period's end and the period-end projection, with the model's backtest accuracy. ?series=tenant (the tenant's total, calendar month in UTC) or ?series=budget:<id> (a budget's scope and period); all series without it. The admin key names the tenant: ?tenant=acme.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Results<Ok<IReadOnlyList<SeriesForecastView>>, ProblemHttpResult>> ListAsync(
        [FromQuery(Name = "tenant")] string? tenant, [FromQuery(Name = "series")] string? series, HttpRequest request, Caller caller,
        ProjectStore projects, ForecastStore forecasts, CancellationToken cancellationToken)
    {
        var target = await TenantResources.TenantOfAsync(tenant, request, caller, projects, "forecasts", cancellationToken, "series");
        if (target.Refused is { } refused)
        {
            return refused;
        }

        if (series is not null && !SeriesName().IsMatch(series))
        {
            return TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["series"] = ["series is 'tenant' or 'budget:<id>' (a budget id: 16 hex digits)."] })
            {
                Status = StatusCodes.Status400BadRequest,
            });
        }

        // A read:project key sees the series of the scopes it may read (its project's budgets), not the tenant's total.
        var views = (await forecasts.ListAsync(target.Tenant!, cancellationToken))
            .Where(f => caller.CanReadScope(f.Forecast.Scope) && (series is null || f.Forecast.Series == series))
            .Select(f => ToView(f.Forecast)).ToList();
        if (series is not null && views.Count == 0)
        {
            return TypedResults.Problem(title: "Not found", detail: $"No forecast of series '{series}' that this key may read (forecasts are made by the hour run).", statusCode: StatusCodes.Status404NotFound);
        }

        return TypedResults.Ok<IReadOnlyList<SeriesForecastView>>(views);
    }

    /// <summary>A stored forecast in the API's terms, amounts rounded to 1/10,000 USD.</summary>
    public static SeriesForecastView ToView(ForecastDocument forecast)
    {
        ArgumentNullException.ThrowIfNull(forecast);
        var period = forecast.Period;
        var total = period.Total;
        var b = forecast.Backtest;
        return new SeriesForecastView(
            forecast.Series,
            forecast.Scope,
            forecast.AsOfHour,
            forecast.Model,
            forecast.HistoryHours,
            forecast.Hourly.Select((h, i) => new HourForecastView(forecast.Origin.AddHours(i), Usd(h.Value), Usd(h.Lower80), Usd(h.Upper80), Usd(h.Lower95), Usd(h.Upper95))).ToList(),
            period.Days.Select(d => new DayForecastView(d.Date, Usd(d.Observed), Usd(d.Total.Value), Usd(d.Total.Lower80), Usd(d.Total.Upper80), Usd(d.Total.Lower95), Usd(d.Total.Upper95))).ToList(),
            new PeriodEndView(period.Start, period.End, period.TimeZone, Usd(period.ObservedUsd), Usd(total.Value), Usd(total.Lower80), Usd(total.Upper80), Usd(total.Lower95), Usd(total.Upper95)),
            new BacktestView(b.Origins, b.Horizon, Round(b.Mase), Round(b.SymmetricMape), Round(b.Coverage80), Round(b.Coverage95)));
    }

    private static double Usd(double value) => Math.Round(value, 4, MidpointRounding.AwayFromZero);

    private static double? Round(double? value) => value is { } v && double.IsFinite(v) ? Math.Round(v, 4, MidpointRounding.AwayFromZero) : null;

    [GeneratedRegex("^(tenant|budget:[0-9a-f]{16})$")]
    private static partial Regex SeriesName();
}
