using System.Globalization;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using TokenTally.Core.Rollups;
using TokenTally.Functions.Projects;

namespace TokenTally.Functions.Costs;

public sealed record CostSummary(string TimeZone, CostPoint Today, CostPoint MonthToDate, CostPoint LastMonth, IReadOnlyList<Mover> BiggestMovers);

/// <summary>A model whose spend changed most: the last 7 days against the 7 before.</summary>
public sealed record Mover(string Model, decimal LastWeekUsd, decimal PreviousWeekUsd, decimal ChangeUsd);

public sealed record TopEntry(string Value, long Calls, decimal CostUsd, long Tokens, Percentiles LatencyMs);

/// <summary>Cost and usage queries over hourly rollups, scoped to the caller's tenant.</summary>
public static class CostsApi
{
    private const int MaxHours = 24 * 400;

    public static IEndpointRouteBuilder MapCostsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1").WithTags("Costs").RequireAuthorization(Policies.ProjectKey);
        group.MapGet("/costs", GetCostsAsync).WithName("GetCosts")
            .WithSummary("Cost and usage over time: from, to, granularity (hour|day|week|month), groupBy (up to two dimensions), filters (dimension=value[,value]), tz (IANA). CSV with Accept: text/csv.");
        group.MapGet("/costs/summary", GetSummaryAsync).WithName("GetCostSummary").WithSummary("Today, month to date, last month and the biggest movers.");
        group.MapGet("/usage/top", GetTopAsync).WithName("GetTopUsage").WithSummary("The top values of one dimension by cost (dimension=user&n=20).");
        return app;
    }

    public static async Task<Results<Ok<CostReport>, ContentHttpResult, ValidationProblem>> GetCostsAsync(
        HttpRequest request, ClaimsPrincipal user, CostQuery query, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var spec = Parse(request.Query, time.GetUtcNow(), errors);
        if (spec is null)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var report = await query.RunAsync(ProjectKey.From(user)!.Tenant, spec, cancellationToken);
        return request.Headers.Accept.ToString().Contains("text/csv", StringComparison.OrdinalIgnoreCase)
            ? TypedResults.Text(ToCsv(report), "text/csv", Encoding.UTF8)
            : TypedResults.Ok(report);
    }

    public static async Task<Results<Ok<CostSummary>, ValidationProblem>> GetSummaryAsync(
        string? tz, ClaimsPrincipal user, CostQuery query, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!TryZone(tz, out var zone))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["tz"] = [$"'{tz}' is not an IANA time zone (e.g. Europe/Berlin)."] });
        }

        var tenant = ProjectKey.From(user)!.Tenant;
        var now = time.GetUtcNow();
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var today = TimeBuckets.AtLocalMidnight(DateOnly.FromDateTime(local.DateTime), zone);
        var monthStart = TimeBuckets.AtLocalMidnight(new DateOnly(local.Year, local.Month, 1), zone);
        var lastMonthStart = TimeBuckets.AtLocalMidnight(new DateOnly(local.Year, local.Month, 1).AddMonths(-1), zone);
        var nextHour = TimeBuckets.HourStart(now).AddHours(1);

        async Task<CostPoint> TotalAsync(DateTimeOffset from, DateTimeOffset to) =>
            (await query.RunAsync(tenant, new CostQuerySpec(TimeBuckets.HourStart(from), TimeBuckets.HourStart(to), Granularity.Hour, [], new Dictionary<Dimension, IReadOnlySet<string>>(), zone), cancellationToken)).Total;

        var weekAgo = nextHour.AddDays(-7);
        var byModelNow = await query.RunAsync(tenant, new CostQuerySpec(weekAgo, nextHour, Granularity.Day, [Dimension.Model], new Dictionary<Dimension, IReadOnlySet<string>>(), zone), cancellationToken);
        var byModelBefore = await query.RunAsync(tenant, new CostQuerySpec(weekAgo.AddDays(-7), weekAgo, Granularity.Day, [Dimension.Model], new Dictionary<Dimension, IReadOnlySet<string>>(), zone), cancellationToken);
        var before = byModelBefore.Series.ToDictionary(s => s.Key["model"], s => s.Total.CostUsd);
        var movers = byModelNow.Series.Select(s => s.Key["model"]).Union(before.Keys)
            .Select(model =>
            {
                var last = byModelNow.Series.FirstOrDefault(s => s.Key["model"] == model)?.Total.CostUsd ?? 0;
                var previous = before.GetValueOrDefault(model);
                return new Mover(model, last, previous, last - previous);
            })
            .OrderByDescending(m => Math.Abs(m.ChangeUsd)).Take(5).ToList();

        return TypedResults.Ok(new CostSummary(zone.Id, await TotalAsync(today, nextHour), await TotalAsync(monthStart, nextHour), await TotalAsync(lastMonthStart, monthStart), movers));
    }

    public static async Task<Results<Ok<IReadOnlyList<TopEntry>>, ValidationProblem>> GetTopAsync(
        HttpRequest request, ClaimsPrincipal user, CostQuery query, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var q = request.Query;
        if (!CostQuery.TryParseDimension(q["dimension"].ToString(), out var dimension))
        {
            errors["dimension"] = [$"dimension must be one of: {string.Join(", ", Enum.GetValues<Dimension>().Select(CostQuery.NameOf))}."];
        }

        var n = 20;
        if (q.ContainsKey("n") && (!int.TryParse(q["n"], CultureInfo.InvariantCulture, out n) || n is < 1 or > 1000))
        {
            errors["n"] = ["n must be 1-1000."];
        }

        var spec = Parse(q, time.GetUtcNow(), errors, allowGroupBy: false);
        if (spec is null || errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var report = await query.RunAsync(ProjectKey.From(user)!.Tenant, spec with { GroupBy = [dimension], Granularity = Granularity.Month }, cancellationToken);
        IReadOnlyList<TopEntry> top = report.Series.Take(n).Select(s => new TopEntry(s.Key.Values.Single(), s.Total.Calls, s.Total.CostUsd,
            s.Total.InputTokens + s.Total.OutputTokens, s.Total.LatencyMs)).ToList();
        return TypedResults.Ok(top);
    }

    /// <summary>Reads from, to, granularity, groupBy, tz and dimension filters; null with <paramref name="errors"/> filled when invalid.</summary>
    public static CostQuerySpec? Parse(IQueryCollection query, DateTimeOffset now, Dictionary<string, string[]> errors, bool allowGroupBy = true)
    {
        var to = TimeBuckets.HourStart(now).AddHours(1);
        var from = to.AddDays(-7);
        if (query.ContainsKey("from") && !TryDate(query["from"], out from))
        {
            errors["from"] = ["from must be an ISO 8601 date or time with a zone (2026-11-01 or 2026-11-01T00:00:00Z)."];
        }

        if (query.ContainsKey("to") && !TryDate(query["to"], out to))
        {
            errors["to"] = ["to must be an ISO 8601 date or time with a zone."];
        }

        from = TimeBuckets.HourStart(from);
        to = Ceiling(to);
        if (errors.Count == 0 && from >= to)
        {
            errors["to"] = ["to must be after from."];
        }
        else if (errors.Count == 0 && (to - from).TotalHours > MaxHours)
        {
            errors["to"] = [$"A query spans at most {MaxHours / 24} days."];
        }

        var granularity = Granularity.Day;
        if (query.ContainsKey("granularity") && !Enum.TryParse(query["granularity"], ignoreCase: true, out granularity))
        {
            errors["granularity"] = ["granularity must be hour, day, week or month."];
        }

        var groupBy = new List<Dimension>();
        foreach (var name in (allowGroupBy ? query["groupBy"].ToString() : string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (CostQuery.TryParseDimension(name, out var dimension))
            {
                groupBy.Add(dimension);
            }
            else
            {
                errors["groupBy"] = [$"'{name}' is not a dimension; use {string.Join(", ", Enum.GetValues<Dimension>().Select(CostQuery.NameOf))}."];
            }
        }

        if (groupBy.Count > 2)
        {
            errors["groupBy"] = ["groupBy takes at most two dimensions."];
        }

        var filters = new Dictionary<Dimension, IReadOnlySet<string>>();
        foreach (var (name, values) in query)
        {
            if (CostQuery.TryParseDimension(name, out var dimension))
            {
                filters[dimension] = values.ToString().Split(',', StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
            }
        }

        if (!TryZone(query["tz"], out var zone))
        {
            errors["tz"] = [$"'{query["tz"]}' is not an IANA time zone (e.g. Europe/Berlin)."];
        }

        if (errors.Count == 0 && Cube.Covering(groupBy.Concat(filters.Keys)) is null)
        {
            errors["groupBy"] = [$"No rollup holds {string.Join(" and ", groupBy.Concat(filters.Keys).Distinct().Select(CostQuery.NameOf))} together; the cubes are {string.Join("; ", Cube.All.Select(c => c.Name + " (" + string.Join(", ", c.Dimensions.Select(CostQuery.NameOf)) + ")"))}."];
        }

        return errors.Count == 0 ? new CostQuerySpec(from, to, granularity, groupBy, filters, zone) : null;
    }

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

    private static bool TryDate(string? text, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

    private static bool TryZone(string? id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (string.IsNullOrEmpty(id))
        {
            return true;
        }

        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return false;
        }
    }

    private static DateTimeOffset Ceiling(DateTimeOffset time)
    {
        var hour = TimeBuckets.HourStart(time);
        return hour == time.ToUniversalTime() ? hour : hour.AddHours(1);
    }
}
