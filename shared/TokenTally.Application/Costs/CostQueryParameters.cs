using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using TokenTally.Application.Projects;
using TokenTally.Core.Rollups;

namespace TokenTally.Application.Costs;

/// <summary>
/// The query string of the cost endpoints: the window (<c>from</c>, <c>to</c>; dates and times without an offset are read in
/// <c>tz</c>), <c>granularity</c>, <c>groupBy</c> (up to two dimensions), <c>tz</c> (IANA), and one filter per dimension
/// (<c>model=gpt-4o,gpt-4o-mini</c>). Defaults: the last 7 days up to the end of the current hour, daily, UTC.
/// </summary>
public sealed record CostQueryParameters(
    [FromQuery(Name = "from")] string? From,
    [FromQuery(Name = "to")] string? To,
    [FromQuery(Name = "granularity")] string? Granularity,
    [FromQuery(Name = "groupBy")] string? GroupBy,
    [FromQuery(Name = "tz")] string? Tz,
    [FromQuery(Name = "project")] string? Project,
    [FromQuery(Name = "service")] string? Service,
    [FromQuery(Name = "release")] string? Release,
    [FromQuery(Name = "environment")] string? Environment,
    [FromQuery(Name = "provider")] string? Provider,
    [FromQuery(Name = "model")] string? Model,
    [FromQuery(Name = "operation")] string? Operation,
    [FromQuery(Name = "department")] string? Department,
    [FromQuery(Name = "user")] string? User,
    [FromQuery(Name = "experiment")] string? Experiment,
    [FromQuery(Name = "variant")] string? Variant,
    [FromQuery(Name = "status")] string? Status)
{
    /// <summary>The longest window a query may span.</summary>
    public const int MaxDays = 400;

    /// <summary>The window when <c>from</c> is not given.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(7);

    private static readonly HashSet<string> Known = new(
        ["from", "to", "granularity", "groupBy", "tz", .. Enum.GetValues<Dimension>().Select(CostQuery.NameOf)], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Turns the parameters into a query spec for <paramref name="caller"/>, confining a project-scoped key to its project;
    /// null with <paramref name="errors"/> filled when a parameter is invalid (each error names it), or with
    /// <paramref name="forbidden"/> when the query reaches beyond what the key may read.
    /// </summary>
    public CostQuerySpec? ToSpec(IQueryCollection query, Caller caller, DateTimeOffset now, Dictionary<string, string[]> errors, out string? forbidden, IEnumerable<string>? extraParameters = null, bool allowGroupBy = true)
    {
        forbidden = null;
        var known = extraParameters is null ? Known : Known.Concat(extraParameters).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var name in query.Keys.Where(k => !known.Contains(k)))
        {
            errors[name] = [$"'{name}' is not a parameter of this endpoint; see the OpenAPI document at /api/v1/openapi.json."];
        }

        if (!TryZone(Tz, out var zone))
        {
            errors["tz"] = [$"'{Tz}' is not an IANA time zone (e.g. Europe/Berlin)."];
        }

        var to = TimeBuckets.HourStart(now).AddHours(1);
        if (To is not null && !TryTime(To, zone, out to))
        {
            errors["to"] = ["to must be a date (2026-11-21, midnight in tz) or a time (2026-11-21T00:00:00Z; without an offset it is read in tz)."];
        }

        var from = to - DefaultWindow;
        if (From is not null && !TryTime(From, zone, out from))
        {
            errors["from"] = ["from must be a date (2026-11-01, midnight in tz) or a time (2026-11-01T00:00:00Z; without an offset it is read in tz)."];
        }

        from = TimeBuckets.HourStart(from);
        to = Ceiling(to);
        if (!errors.ContainsKey("from") && !errors.ContainsKey("to"))
        {
            if (from >= to)
            {
                errors["to"] = ["to must be after from."];
            }
            else if ((to - from).TotalDays > MaxDays)
            {
                errors["to"] = [$"A query spans at most {MaxDays} days."];
            }
        }

        var granularity = Core.Rollups.Granularity.Day;
        if (Granularity is not null && (!Enum.TryParse(Granularity, ignoreCase: true, out granularity) || !Enum.IsDefined(granularity)))
        {
            errors["granularity"] = ["granularity must be hour, day, week or month."];
        }

        var groupBy = new List<Dimension>();
        foreach (var name in (allowGroupBy ? GroupBy ?? string.Empty : string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
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

        var filters = Filters();
        if (caller.ReadableProjectOnly is { } own)
        {
            if (filters.TryGetValue(Dimension.Project, out var asked) && asked.Any(p => p != own))
            {
                forbidden = $"This key reads project '{own}' only.";
            }

            filters[Dimension.Project] = new HashSet<string>([own], StringComparer.Ordinal);
        }

        if (errors.Count == 0 && Cube.Covering(groupBy.Concat(filters.Keys)) is null)
        {
            errors["groupBy"] = [$"No rollup holds {string.Join(" and ", groupBy.Concat(filters.Keys).Distinct().Select(CostQuery.NameOf))} together; the cubes are {string.Join("; ", Cube.All.Select(c => c.Name + " (" + string.Join(", ", c.Dimensions.Select(CostQuery.NameOf)) + ")"))}."];
        }

        return errors.Count == 0 && forbidden is null ? new CostQuerySpec(from, to, granularity, groupBy, filters, zone) : null;
    }

    private Dictionary<Dimension, IReadOnlySet<string>> Filters()
    {
        var filters = new Dictionary<Dimension, IReadOnlySet<string>>();
        void Add(Dimension dimension, string? values)
        {
            if (values is not null)
            {
                filters[dimension] = values.Split(',', StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
            }
        }

        Add(Dimension.Project, Project);
        Add(Dimension.Service, Service);
        Add(Dimension.Release, Release);
        Add(Dimension.Environment, Environment);
        Add(Dimension.Provider, Provider);
        Add(Dimension.Model, Model);
        Add(Dimension.Operation, Operation);
        Add(Dimension.Department, Department);
        Add(Dimension.User, User);
        Add(Dimension.Experiment, Experiment);
        Add(Dimension.Variant, Variant);
        Add(Dimension.Status, Status);
        return filters;
    }

    /// <summary>A date is local midnight in <paramref name="zone"/>; a time with an offset is taken as is; one without is local too.</summary>
    private static bool TryTime(string text, TimeZoneInfo zone, out DateTimeOffset value)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            value = TimeBuckets.AtLocalMidnight(date, zone);
            return true;
        }

        if (DateTimeOffset.TryParseExact(text, OffsetFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out value))
        {
            value = value.ToUniversalTime();
            return true;
        }

        if (DateTime.TryParseExact(text, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            while (zone.IsInvalidTime(local))
            {
                local = local.AddMinutes(30);
            }

            value = new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
            return true;
        }

        value = default;
        return false;
    }

    private static readonly string[] OffsetFormats = ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK"];

    private static readonly string[] LocalFormats = ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm"];

    internal static bool TryZone(string? id, out TimeZoneInfo zone)
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
