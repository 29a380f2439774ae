using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using TokenTally.Application.Projects;
using TokenTally.Core.Rollups;

namespace TokenTally.Application.Costs;

public sealed record CostSummary(string TimeZone, CostPoint Today, CostPoint MonthToDate, CostPoint LastMonth, IReadOnlyList<Mover> BiggestMovers);

/// <summary>A model whose spend changed most: the last 7 days against the 7 before.</summary>
public sealed record Mover(string Model, decimal LastWeekUsd, decimal PreviousWeekUsd, decimal ChangeUsd);

public sealed record TopEntry(string Value, long Calls, decimal CostUsd, long Tokens, Percentiles LatencyMs);

/// <summary>Cost and usage queries over hourly rollups: the caller's tenant, or only its project for a read:project key.</summary>
public static class CostsApi
{
    public static IEndpointRouteBuilder MapCostsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1").WithTags("Costs").RequireAuthorization(Policies.Read);
        group.MapGet("/costs", GetCostsAsync).WithName("GetCosts")
            .WithSummary("Cost and usage over time: from, to (default: the last 7 days), granularity (hour|day|week|month; default day), groupBy (up to two dimensions), one filter per dimension (model=a,b), tz (IANA; default UTC). CSV with Accept: text/csv.");
        group.MapGet("/costs/summary", GetSummaryAsync).WithName("GetCostSummary").WithSummary("Today, month to date, last month (in tz) and the models whose spend moved most week on week.");
        group.MapGet("/usage/top", GetTopAsync).WithName("GetTopUsage").WithSummary("The top values of one dimension by cost over a window (dimension=user&n=20; default the last 7 days).");
        return app;
    }

    public static async Task<Results<Ok<CostReport>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> GetCostsAsync(
        [AsParameters] CostQueryParameters parameters, HttpRequest request, Caller caller, CostQuery query, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var spec = parameters.ToSpec(request.Query, caller, time.GetUtcNow(), errors, out var forbidden);
        if (spec is null)
        {
            return forbidden is null ? TypedResults.ValidationProblem(errors) : Forbidden(forbidden);
        }

        var report = await query.RunAsync(caller.RequiredTenant, spec, cancellationToken);
        return request.Headers.Accept.ToString().Contains("text/csv", StringComparison.OrdinalIgnoreCase)
            ? TypedResults.Text(ToCsv(report), "text/csv", Encoding.UTF8)
            : TypedResults.Ok(report);
    }

    public static async Task<Results<Ok<CostSummary>, ValidationProblem>> GetSummaryAsync(
        string? tz, HttpRequest request, Caller caller, CostQuery query, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var name in request.Query.Keys.Where(k => !k.Equals("tz", StringComparison.OrdinalIgnoreCase)))
        {
            errors[name] = [$"'{name}' is not a parameter of this endpoint; it takes tz only."];
        }

        if (!CostQueryParameters.TryZone(tz, out var zone))
        {
            errors["tz"] = [$"'{tz}' is not an IANA time zone (e.g. Europe/Berlin)."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var tenant = caller.RequiredTenant;
        var filters = new Dictionary<Dimension, IReadOnlySet<string>>();
        if (caller.ReadableProjectOnly is { } own)
        {
            filters[Dimension.Project] = new HashSet<string>([own], StringComparer.Ordinal);
        }

        var now = time.GetUtcNow();
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var today = TimeBuckets.AtLocalMidnight(DateOnly.FromDateTime(local.DateTime), zone);
        var monthStart = TimeBuckets.AtLocalMidnight(new DateOnly(local.Year, local.Month, 1), zone);
        var lastMonthStart = TimeBuckets.AtLocalMidnight(new DateOnly(local.Year, local.Month, 1).AddMonths(-1), zone);
        var nextHour = TimeBuckets.HourStart(now).AddHours(1);

        Task<CostReport> RunAsync(DateTimeOffset from, DateTimeOffset to, Granularity granularity, IReadOnlyList<Dimension> groupBy) =>
            query.RunAsync(tenant, new CostQuerySpec(TimeBuckets.HourStart(from), TimeBuckets.HourStart(to), granularity, groupBy, filters, zone), cancellationToken);

        var weekAgo = nextHour.AddDays(-7);
        var byModelNow = await RunAsync(weekAgo, nextHour, Granularity.Day, [Dimension.Model]);
        var byModelBefore = await RunAsync(weekAgo.AddDays(-7), weekAgo, Granularity.Day, [Dimension.Model]);
        var before = byModelBefore.Series.ToDictionary(s => s.Key["model"], s => s.Total.CostUsd);
        var movers = byModelNow.Series.Select(s => s.Key["model"]).Union(before.Keys)
            .Select(model =>
            {
                var last = byModelNow.Series.FirstOrDefault(s => s.Key["model"] == model)?.Total.CostUsd ?? 0;
                var previous = before.GetValueOrDefault(model);
                return new Mover(model, last, previous, last - previous);
            })
            .OrderByDescending(m => Math.Abs(m.ChangeUsd)).Take(5).ToList();

        return TypedResults.Ok(new CostSummary(zone.Id,
            (await RunAsync(today, nextHour, Granularity.Hour, [])).Total,
            (await RunAsync(monthStart, nextHour, Granularity.Hour, [])).Total,
            (await RunAsync(lastMonthStart, monthStart, Granularity.Hour, [])).Total,
            movers));
    }

    public static async Task<Results<Ok<IReadOnlyList<TopEntry>>, ValidationProblem, ProblemHttpResult>> GetTopAsync(
        [AsParameters] CostQueryParameters parameters, string? dimension, string? n, HttpRequest request, Caller caller, CostQuery query, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!CostQuery.TryParseDimension(dimension ?? string.Empty, out var top))
        {
            errors["dimension"] = [$"dimension is required: one of {string.Join(", ", Enum.GetValues<Dimension>().Select(CostQuery.NameOf))}."];
        }

        var count = 20;
        if (n is not null && (!int.TryParse(n, CultureInfo.InvariantCulture, out count) || count is < 1 or > 1000))
        {
            errors["n"] = ["n must be 1-1000 (default 20)."];
        }

        var spec = parameters.ToSpec(request.Query, caller, time.GetUtcNow(), errors, out var forbidden, extraParameters: ["dimension", "n"], allowGroupBy: false);
        if (spec is null || errors.Count > 0)
        {
            return forbidden is null ? TypedResults.ValidationProblem(errors) : Forbidden(forbidden);
        }

        var report = await query.RunAsync(caller.RequiredTenant, spec with { GroupBy = [top], Granularity = Granularity.Month }, cancellationToken);
        IReadOnlyList<TopEntry> entries = report.Series.Take(count).Select(s => new TopEntry(s.Key.Values.Single(), s.Total.Calls, s.Total.CostUsd,
            s.Total.InputTokens + s.Total.OutputTokens, s.Total.LatencyMs)).ToList();
        return TypedResults.Ok(entries);
    }

    private static ProblemHttpResult Forbidden(string detail) => TypedResults.Problem(title: "Forbidden", detail: detail, statusCode: StatusCodes.Status403Forbidden);

    private static string ToCsv(CostReport report)
    {
        var csv = new StringBuilder();
        csv.AppendJoin(',', new[] { "start" }.Concat(report.GroupBy).Concat(["calls", "errors", "cost_usd", "input_tokens", "cached_input_tokens", "cache_write_tokens", "output_tokens", "reasoning_tokens", "unpriced_calls", "latency_p50_ms", "latency_p95_ms", "latency_p99_ms"])).Append('\n');
        foreach (var series in report.Series)
        {
            foreach (var p in series.Points)
            {
                csv.AppendJoin(',', new[] { p.Start.ToString("O", CultureInfo.InvariantCulture) }
                    .Concat(report.GroupBy.Select(g => Escape(series.Key[g])))
                    .Concat(new object?[] { p.Calls, p.Errors, p.CostUsd, p.InputTokens, p.CachedInputTokens, p.CacheWriteTokens, p.OutputTokens, p.ReasoningTokens, p.UnpricedCalls, p.LatencyMs.P50, p.LatencyMs.P95, p.LatencyMs.P99 }
                        .Select(v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? string.Empty))).Append('\n');
            }
        }

        return csv.ToString();
    }

    private static string Escape(string value) => value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
