using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using TokenTally.Application.Projects;
using TokenTally.Core.Alerts;
using TokenTally.Core.Calls;

namespace TokenTally.Application.Alerts;

/// <summary>The body of a snooze: until when (RFC 3339, after now, at most 7 days ahead).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SnoozeRequest(DateTimeOffset? Until);

/// <summary>
/// An alert as the API shows it: <c>id</c> (16 hex digits derived from rule, scope, period and threshold), <c>rule</c>
/// (e.g. <c>budget:&lt;id&gt;</c>), <c>scope</c> (<c>tenant</c> or <c>dim=v1,v2;dim2=v3</c>), <c>period</c> (e.g.
/// <c>2026-12</c>), the threshold, state and severity, the newest hour seen and its value, how many times it was raised
/// (<c>episode</c>) and when each transition last happened.
/// </summary>
public sealed record AlertView(
    string Id,
    string Rule,
    string Scope,
    string Period,
    decimal Threshold,
    AlertState State,
    AlertSeverity Severity,
    decimal LastValue,
    DateTimeOffset LastHour,
    int Episode,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FiredAt,
    DateTimeOffset? LastNotifiedAt,
    DateTimeOffset? AcknowledgedAt,
    DateTimeOffset? SnoozedUntil,
    DateTimeOffset? ResolvedAt);

/// <summary>A page of alerts, newest first; <c>nextCursor</c> fetches the next (absent on the last page).</summary>
public sealed record AlertListView(IReadOnlyList<AlertView> Items, string? NextCursor);

/// <summary>What the alert endpoints use.</summary>
public sealed record AlertServices(AlertStore Alerts, ProjectStore Projects, TimeProvider Time);

/// <summary>
/// The alerts of a tenant. Alerts are raised by rules (budget checks) in the hourly run, never by this API; people list
/// them and acknowledge, snooze or resolve them. The admin key names the tenant (<c>?tenant=acme</c>) and may write; a
/// <c>read:tenant</c> key reads its tenant's alerts, a <c>read:project</c> key those whose scope is its project alone.
/// </summary>
public static class AlertsApi
{
    private static readonly string[] ListParameters = ["state", "severity", "rule", "scope", "limit", "cursor"];

    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        // Every endpoint answers 400 for a bad or missing ?tenant= or an unknown query parameter.
        var group = app.MapGroup("/api/v1/alerts").WithTags("Alerts").ProducesValidationProblem();
        group.MapGet("/", ListAsync).WithName("ListAlerts").RequireAuthorization(Policies.AdminOrRead)
            .WithSummary("The tenant's alerts, newest first (a read:project key: those scoped to its project alone); filters state, severity, rule, scope; limit (≤ 200, default 50) and cursor page.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/acknowledge", AcknowledgeAsync).WithName("AcknowledgeAlert").RequireAuthorization(Policies.Manage)
            .WithSummary("Acknowledges a firing or snoozed alert (admin key or app role TokenTally.Editor, ?tenant=acme): no more re-notifications; its resolution is still announced.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id}/snooze", SnoozeAsync).WithName("SnoozeAlert").RequireAuthorization(Policies.Manage)
            .WithSummary("Silences a raised alert until a time (body {\"until\": …}, after now, at most 7 days ahead); then it fires again if still over.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id}/resolve", ResolveAsync).WithName("ResolveAlert").RequireAuthorization(Policies.Manage)
            .WithSummary("Resolves an alert by hand (announced if it had fired); it is raised again only after its value has cleared and crossed again.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Results<Ok<AlertListView>, ValidationProblem, ProblemHttpResult>> ListAsync(
        [FromQuery(Name = "tenant")] string? tenant,
        [FromQuery(Name = "state")] string? state,
        [FromQuery(Name = "severity")] string? severity,
        [FromQuery(Name = "rule")] string? rule,
        [FromQuery(Name = "scope")] string? scope,
        [FromQuery(Name = "limit")] string? limit,
        [FromQuery(Name = "cursor")] string? cursor,
        HttpRequest request,
        Caller caller,
        [AsParameters] AlertServices services,
        CancellationToken cancellationToken)
    {
        var target = await TenantResources.TenantOfAsync(tenant, request, caller, services.Projects, "alerts", cancellationToken, ListParameters);
        if (target.Refused is { } refused)
        {
            return refused;
        }

        var errors = new List<FieldError>();
        AlertState? stateFilter = null;
        if (state is not null)
        {
            stateFilter = Enum.GetValues<AlertState>().Cast<AlertState?>().FirstOrDefault(s => AlertLifecycle.Name(s!.Value) == state);
            if (stateFilter is null)
            {
                errors.Add(new FieldError("state", "unknown", $"state '{state}' is none of {string.Join(", ", Enum.GetValues<AlertState>().Select(AlertLifecycle.Name))}."));
            }
        }

        AlertSeverity? severityFilter = null;
        if (severity is not null)
        {
            severityFilter = Enum.GetValues<AlertSeverity>().Cast<AlertSeverity?>().FirstOrDefault(s => SeverityName(s!.Value) == severity);
            if (severityFilter is null)
            {
                errors.Add(new FieldError("severity", "unknown", $"severity '{severity}' is none of info, warning, critical."));
            }
        }

        var pageSize = TenantResources.PageSize(limit, cursor, c => AlertStore.TryReadCursor(c, out _, out _), errors);

        foreach (var (field, value) in new[] { ("rule", rule), ("scope", scope) })
        {
            if (value is { Length: 0 or > 512 })
            {
                errors.Add(new FieldError(field, "length", $"{field} is 1 to 512 characters."));
            }
        }

        if (errors.Count > 0)
        {
            return TenantResources.ValidationProblem(errors);
        }

        // A read:project key sees the alerts of its project's scope alone: asking for another scope is refused.
        if (caller.ReadableProjectOnly is { } own)
        {
            var ownScope = AlertScopes.Project(own);
            if (scope is not null && scope != ownScope)
            {
                return TypedResults.Problem(title: "Forbidden", detail: $"This key reads the alerts of scope '{ownScope}' only.", statusCode: StatusCodes.Status403Forbidden);
            }

            scope = ownScope;
        }

        var page = await services.Alerts.ListAsync(target.Tenant!, new AlertFilter(stateFilter, severityFilter, rule, scope), pageSize, cursor, cancellationToken);
        return TypedResults.Ok(new AlertListView(page.Items.Select(a => ToView(a.Alert)).ToList(), page.NextCursor));
    }

    public static Task<Results<Ok<AlertView>, ValidationProblem, ProblemHttpResult>> AcknowledgeAsync(
        string id, [FromQuery(Name = "tenant")] string? tenant, HttpRequest request, Caller caller, [AsParameters] AlertServices services, CancellationToken cancellationToken) =>
        TransitionAsync(id, tenant, request, caller, services, alert => AlertLifecycle.Acknowledge(alert, services.Time.GetUtcNow()), cancellationToken);

    public static async Task<Results<Ok<AlertView>, ValidationProblem, ProblemHttpResult>> SnoozeAsync(
        string id, [FromQuery(Name = "tenant")] string? tenant, SnoozeRequest snooze, HttpRequest request, Caller caller, [AsParameters] AlertServices services, CancellationToken cancellationToken)
    {
        if (snooze.Until is not { } until)
        {
            return TenantResources.ValidationProblem([new FieldError("until", "required", "until is required: the time (RFC 3339) the snooze ends.")]);
        }

        return await TransitionAsync(id, tenant, request, caller, services, alert => AlertLifecycle.Snooze(alert, until.ToUniversalTime(), AlertPolicy.Default, services.Time.GetUtcNow()), cancellationToken);
    }

    public static Task<Results<Ok<AlertView>, ValidationProblem, ProblemHttpResult>> ResolveAsync(
        string id, [FromQuery(Name = "tenant")] string? tenant, HttpRequest request, Caller caller, [AsParameters] AlertServices services, CancellationToken cancellationToken) =>
        TransitionAsync(id, tenant, request, caller, services, alert => AlertLifecycle.Resolve(alert, services.Time.GetUtcNow()), cancellationToken);

    public static AlertView ToView(Alert alert) => new(
        alert.Key.Id,
        alert.Key.RuleId,
        alert.Key.ScopeKey,
        alert.Key.PeriodKey,
        alert.Key.Threshold,
        alert.State,
        alert.Severity,
        alert.LastValue,
        alert.LastHour,
        alert.Episode,
        alert.CreatedAt,
        alert.UpdatedAt,
        alert.FiredAt,
        alert.LastNotifiedAt,
        alert.AcknowledgedAt,
        alert.SnoozedUntil,
        alert.ResolvedAt);

    private static async Task<Results<Ok<AlertView>, ValidationProblem, ProblemHttpResult>> TransitionAsync(
        string id, string? tenant, HttpRequest request, Caller caller, AlertServices services, Func<Alert, AlertCommandResult> transition, CancellationToken cancellationToken)
    {
        var target = await TenantResources.TenantOfAsync(tenant, request, caller, services.Projects, "alerts", cancellationToken);
        if (target.Refused is { } refused)
        {
            return refused;
        }

        var outcome = await services.Alerts.ApplyAsync(target.Tenant!, id, transition, cancellationToken);
        return outcome switch
        {
            { Alert: null } => TypedResults.Problem(title: "Not found", detail: $"No alert '{id}' in tenant '{target.Tenant}'.", statusCode: StatusCodes.Status404NotFound),
            { Result.Refusal: AlertRefusal.SnoozeInPast } => TenantResources.ValidationProblem([new FieldError("until", "past", outcome.Result.Reason!)]),
            { Result.Refusal: AlertRefusal.SnoozeTooLong } => TenantResources.ValidationProblem([new FieldError("until", "range", outcome.Result.Reason!)]),
            { Result.Refusal: AlertRefusal.WrongState } => TypedResults.Problem(title: "Conflict", detail: outcome.Result.Reason, statusCode: StatusCodes.Status409Conflict),
            _ => TypedResults.Ok(ToView(outcome.Alert.Alert)),
        };
    }

    private static string SeverityName(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Info => "info",
        AlertSeverity.Warning => "warning",
        AlertSeverity.Critical => "critical",
        _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, "Unknown severity."),
    };
}
