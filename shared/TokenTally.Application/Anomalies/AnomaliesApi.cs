using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using TokenTally.Application.Projects;
using TokenTally.Core.Alerts;
using TokenTally.Core.Anomalies.Slices;
using TokenTally.Core.Calls;

namespace TokenTally.Application.Anomalies;

/// <summary>The body of a verdict on an anomaly: <c>false_positive</c>, <c>expected</c> or <c>confirmed</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AnomalyFeedbackRequest(string? Verdict);

/// <summary>A page of anomalies, newest hour first; <c>nextCursor</c> fetches the next (absent on the last page).</summary>
public sealed record AnomalyListView(IReadOnlyList<AnomalyDocument> Items, string? NextCursor);

/// <summary>What the anomaly endpoints use.</summary>
public sealed record AnomalyServices(AnomalyStore Anomalies, ProjectStore Projects, TimeProvider Time);

/// <summary>
/// The anomalies the hourly scan found in a tenant's series. The admin key names the tenant (<c>?tenant=acme</c>); a
/// <c>read:tenant</c> key reads its tenant's, a <c>read:project</c> key those of its project's slice alone. Admins and
/// editors give verdicts, which lower (false positive, expected) or restore (confirmed) the series' sensitivity.
/// </summary>
public static class AnomaliesApi
{
    private static readonly string[] ListParameters = ["series", "metric", "slice", "severity", "kind", "from", "to", "limit", "cursor"];
    private static readonly string[] Severities = ["low", "medium", "high", "critical"];
    private static readonly string[] Kinds = ["spike", "level_shift"];

    public static IEndpointRouteBuilder MapAnomaliesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/anomalies").WithTags("Anomalies").ProducesValidationProblem();
        group.MapGet("/", ListAsync).WithName("ListAnomalies").RequireAuthorization(Policies.AdminOrRead)
            .WithSummary("The tenant's anomalies, newest hour first (a read:project key: its project's slice alone); filters series (metric|slice), metric, slice (tenant, project=…, service=…, model=…), severity, kind, from, to; limit (≤ 200, default 50) and cursor page.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}", GetAsync).WithName("GetAnomaly").RequireAuthorization(Policies.AdminOrRead)
            .WithSummary("One anomaly: score, severity, kind, observed value against the expected range, top contributors, verdict.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/feedback", FeedbackAsync).WithName("GiveAnomalyFeedback").RequireAuthorization(Policies.Manage)
            .WithSummary("Gives a verdict on an anomaly (admin key or app role TokenTally.Editor, ?tenant=acme): body {\"verdict\": \"false_positive\" | \"expected\" | \"confirmed\"}; the series' next scans use the lowered or restored sensitivity.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Results<Ok<AnomalyListView>, ValidationProblem, ProblemHttpResult>> ListAsync(
        [FromQuery(Name = "tenant")] string? tenant,
        [FromQuery(Name = "series")] string? series,
        [FromQuery(Name = "metric")] string? metric,
        [FromQuery(Name = "slice")] string? slice,
        [FromQuery(Name = "severity")] string? severity,
        [FromQuery(Name = "kind")] string? kind,
        [FromQuery(Name = "from")] string? from,
        [FromQuery(Name = "to")] string? to,
        [FromQuery(Name = "limit")] string? limit,
        [FromQuery(Name = "cursor")] string? cursor,
        HttpRequest request,
        Caller caller,
        [AsParameters] AnomalyServices services,
        CancellationToken cancellationToken)
    {
        var target = await TenantResources.TenantOfAsync(tenant, request, caller, services.Projects, "anomalies", cancellationToken, ListParameters);
        if (target.Refused is { } refused)
        {
            return refused;
        }

        var errors = new List<FieldError>();
        if (series is not null)
        {
            if (series.Split('|', 2) is [var m, var s] && (metric is null || metric == m) && (slice is null || slice == s))
            {
                (metric, slice) = (m, s);
            }
            else
            {
                errors.Add(new FieldError("series", "invalid", "series is metric|slice (e.g. cost|model=gpt-4o), and agrees with metric and slice when they are given too."));
            }
        }

        if (metric is not null && !SeriesKey.MetricNames.ContainsKey(metric))
        {
            errors.Add(new FieldError("metric", "unknown", $"metric '{metric}' is none of {string.Join(", ", SeriesKey.MetricNames.Keys)}."));
        }

        if (slice is { Length: 0 or > 512 })
        {
            errors.Add(new FieldError("slice", "length", "slice is 1 to 512 characters: tenant, or dimension=value."));
        }

        if (severity is not null && !Severities.Contains(severity))
        {
            errors.Add(new FieldError("severity", "unknown", $"severity '{severity}' is none of {string.Join(", ", Severities)}."));
        }

        if (kind is not null && !Kinds.Contains(kind))
        {
            errors.Add(new FieldError("kind", "unknown", $"kind '{kind}' is none of {string.Join(", ", Kinds)}."));
        }

        var fromTime = Time("from", from, errors);
        var toTime = Time("to", to, errors);
        if (fromTime is { } f && toTime is { } t && f >= t)
        {
            errors.Add(new FieldError("to", "range", "to must be after from."));
        }

        var pageSize = TenantResources.PageSize(limit, cursor, AnomalyStore.IsCursor, errors);

        if (errors.Count > 0)
        {
            return TenantResources.ValidationProblem(errors);
        }

        // A read:project key sees the anomalies of its project's slice alone: asking for another slice is refused.
        if (caller.ReadableProjectOnly is { } own)
        {
            var ownSlice = AlertScopes.Project(own);
            if (slice is not null && slice != ownSlice)
            {
                return TypedResults.Problem(title: "Forbidden", detail: $"This key reads the anomalies of slice '{ownSlice}' only.", statusCode: StatusCodes.Status403Forbidden);
            }

            slice = ownSlice;
        }

        var page = await services.Anomalies.ListAsync(target.Tenant!, new AnomalyFilter(metric, slice, severity, kind, fromTime, toTime), pageSize, cursor, cancellationToken);
        return TypedResults.Ok(new AnomalyListView(page.Items, page.NextCursor));
    }

    public static async Task<Results<Ok<AnomalyDocument>, ValidationProblem, ProblemHttpResult>> GetAsync(
        string id, [FromQuery(Name = "tenant")] string? tenant, HttpRequest request, Caller caller, [AsParameters] AnomalyServices services, CancellationToken cancellationToken)
    {
        var target = await TenantResources.TenantOfAsync(tenant, request, caller, services.Projects, "anomalies", cancellationToken);
        if (target.Refused is { } refused)
        {
            return refused;
        }

        return await services.Anomalies.GetAsync(target.Tenant!, id, cancellationToken) is { } found && Visible(caller, found.Anomaly)
            ? TypedResults.Ok(found.Anomaly)
            : NoSuchAnomaly(id);
    }

    public static async Task<Results<Ok<AnomalyDocument>, ValidationProblem, ProblemHttpResult>> FeedbackAsync(
        string id, [FromQuery(Name = "tenant")] string? tenant, AnomalyFeedbackRequest feedback, HttpRequest request, Caller caller, [AsParameters] AnomalyServices services, CancellationToken cancellationToken)
    {
        var target = await TenantResources.TenantOfAsync(tenant, request, caller, services.Projects, "anomalies", cancellationToken);
        if (target.Refused is { } refused)
        {
            return refused;
        }

        if (feedback.Verdict is not { } verdict || !AnomalyVerdicts.All.Contains(verdict))
        {
            return TenantResources.ValidationProblem([new FieldError("verdict", feedback.Verdict is null ? "required" : "unknown", $"verdict is one of {string.Join(", ", AnomalyVerdicts.All)}.")]);
        }

        return await services.Anomalies.SetVerdictAsync(target.Tenant!, id, verdict, services.Time.GetUtcNow(), cancellationToken) is { } updated
            ? TypedResults.Ok(updated)
            : NoSuchAnomaly(id);
    }

    /// <summary>A read:project key sees its project's slice alone; the admin and read:tenant keys see all.</summary>
    private static bool Visible(Caller caller, AnomalyDocument anomaly) =>
        caller.ReadableProjectOnly is not { } own || anomaly.Slice == AlertScopes.Project(own);

    private static DateTimeOffset? Time(string field, string? text, List<FieldError> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time.ToUniversalTime();
        }

        errors.Add(new FieldError(field, "format", $"{field} is an RFC 3339 time, e.g. 2026-12-01T00:00:00Z."));
        return null;
    }

    private static ProblemHttpResult NoSuchAnomaly(string id) =>
        TypedResults.Problem(title: "Not found", detail: $"No anomaly '{id}' that this key may read.", statusCode: StatusCodes.Status404NotFound);
}
