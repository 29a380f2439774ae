using System.Net;
using System.Text.Json;
using TokenTally.Application.Alerts;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Core.Alerts;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Alerts;

/// <summary>
/// Alerts are raised by rules in the hourly run (here: observations evaluated through the host's alert store, as budget
/// checks will); the API lists them, newest first with filters and a cursor, and lets the admin acknowledge, snooze and
/// resolve them. Every refusal names what is wrong.
/// </summary>
public abstract class AlertsApiTests(Func<Task<IApiHost>> start) : ApiSpecification(start)
{
    private static readonly DateTimeOffset LastHour = new(DateTimeOffset.UtcNow.Ticks / TimeSpan.TicksPerHour * TimeSpan.TicksPerHour, TimeSpan.Zero);

    private AlertStore Alerts => Host.Services.GetRequiredService<AlertStore>();

    /// <summary>Evaluates one observation of budget <paramref name="rule"/> as a budget check would; returns the alert's id.</summary>
    private async Task<string> RaiseAsync(ApiSession session, string rule = "budget:b1", decimal threshold = 80m, decimal value = 90m, string? project = null, AlertSeverity severity = AlertSeverity.Warning, int hoursAgo = 1)
    {
        var key = new AlertKey(rule, project is null ? AlertScopes.Tenant : AlertScopes.Project(project), "2026-12", threshold);
        await Alerts.EvaluateAsync(session.Tenant, new AlertObservation(key, severity, LastHour.AddHours(-hoursAgo), value), AlertPolicy.Default, DateTimeOffset.UtcNow, TestContext.Current.CancellationToken);
        return key.Id;
    }

    private static async Task<IReadOnlyList<(string Field, string Code)>> FieldErrorsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadProblemAsync();
        return problem.GetProperty("fieldErrors").EnumerateArray().Select(e => (e.GetProperty("field").GetString()!, e.GetProperty("code").GetString()!)).ToList();
    }

    private static IEnumerable<string> Ids(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("id").GetString()!);

    [Fact]
    public async Task AnAlertIsListedAcknowledgedSnoozedAndResolvedAndItsResolutionIsQueuedToBeSent()
    {
        var session = await NewSessionAsync("read:tenant");
        var id = await RaiseAsync(session);
        var at = $"/api/v1/alerts/{id}";

        var listed = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/alerts", session.Key), HttpStatusCode.OK);
        var acknowledged = await ReadAsync(await SendAsync(HttpMethod.Post, $"{at}/acknowledge?tenant={session.Tenant}", Host.AdminKey), HttpStatusCode.OK);
        var until = DateTimeOffset.UtcNow.AddDays(2);
        var snoozed = await ReadAsync(await SendAsync(HttpMethod.Post, $"{at}/snooze?tenant={session.Tenant}", Host.AdminKey, new { until }), HttpStatusCode.OK);
        var resolved = await ReadAsync(await SendAsync(HttpMethod.Post, $"{at}/resolve?tenant={session.Tenant}", Host.AdminKey), HttpStatusCode.OK);

        var alert = Assert.Single(listed.GetProperty("items").EnumerateArray());
        Assert.Equal((id, "budget:b1", "tenant", "2026-12", 80m), (alert.GetProperty("id").GetString(), alert.GetProperty("rule").GetString(), alert.GetProperty("scope").GetString(), alert.GetProperty("period").GetString(), alert.GetProperty("threshold").GetDecimal()));
        Assert.Equal(("firing", "warning", 90m), (alert.GetProperty("state").GetString(), alert.GetProperty("severity").GetString(), alert.GetProperty("lastValue").GetDecimal()));
        Assert.False(listed.TryGetProperty("nextCursor", out _));
        Assert.Equal("acknowledged", acknowledged.GetProperty("state").GetString());
        Assert.Equal("snoozed", snoozed.GetProperty("state").GetString());
        Assert.Equal(until, snoozed.GetProperty("snoozedUntil").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1));
        Assert.Equal("resolved", resolved.GetProperty("state").GetString());
        var stored = await Alerts.GetAsync(session.Tenant, id, TestContext.Current.CancellationToken);
        Assert.Equal(["fired", "resolved:1"], stored!.Document.Outbox.Select(t => t.Transition));
    }

    [Fact]
    public async Task AlertsAreFilteredAndPagedNewestFirstWithACursor()
    {
        var session = await NewSessionAsync("read:tenant");
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await RaiseAsync(session, rule: $"budget:b{i}", severity: i == 0 ? AlertSeverity.Critical : AlertSeverity.Warning));
        }

        await RaiseAsync(session, rule: "budget:b4", hoursAgo: 0, value: 1m); // resolves b4

        var first = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/alerts?limit=2", session.Key), HttpStatusCode.OK);
        var cursor = first.GetProperty("nextCursor").GetString()!;
        var second = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/alerts?limit=2&cursor={Uri.EscapeDataString(cursor)}", session.Key), HttpStatusCode.OK);
        var third = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/alerts?limit=2&cursor={Uri.EscapeDataString(second.GetProperty("nextCursor").GetString()!)}", session.Key), HttpStatusCode.OK);
        var firing = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/alerts?state=firing", session.Key), HttpStatusCode.OK);
        var critical = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/alerts?severity=critical", session.Key), HttpStatusCode.OK);
        var rule = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/alerts?rule=budget:b2&scope=tenant", session.Key), HttpStatusCode.OK);

        var paged = Ids(first).Concat(Ids(second)).Concat(Ids(third)).ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), paged.Order(StringComparer.Ordinal));
        Assert.Equal(5, paged.Distinct().Count());
        Assert.False(third.TryGetProperty("nextCursor", out _));
        var created = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).Concat(third.GetProperty("items").EnumerateArray())
            .Select(a => a.GetProperty("createdAt").GetDateTimeOffset()).ToList();
        Assert.Equal(created.OrderDescending(), created);
        Assert.Equal(ids.Take(4).Order(StringComparer.Ordinal), Ids(firing).Order(StringComparer.Ordinal));
        Assert.Equal([ids[0]], Ids(critical));
        Assert.Equal([ids[2]], Ids(rule));
    }

    [Fact]
    public async Task AReadProjectKeySeesTheAlertsOfItsProjectAloneAndMayNotAskForAnotherScope()
    {
        var session = await NewSessionAsync("read:project");
        var own = await RaiseAsync(session, rule: "budget:own", project: session.Project);
        await RaiseAsync(session, rule: "budget:other", project: "another-project");
        await RaiseAsync(session, rule: "budget:tenant");

        var listed = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/alerts", session.Key), HttpStatusCode.OK);
        var tenantWide = await SendAsync(HttpMethod.Get, "/api/v1/alerts?scope=tenant", session.Key);
        var admin = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/alerts?tenant={session.Tenant}", Host.AdminKey), HttpStatusCode.OK);

        Assert.Equal([own], Ids(listed));
        Assert.Equal(HttpStatusCode.Forbidden, tenantWide.StatusCode);
        Assert.Equal(3, Ids(admin).Count());
    }

    [Fact]
    public async Task AListRequestNamesEveryBadFilterWithItsCode()
    {
        var session = await NewSessionAsync("read:tenant");

        var errors = await FieldErrorsAsync(await SendAsync(HttpMethod.Get, "/api/v1/alerts?state=burning&severity=dire&limit=201&cursor=bm90LW91cnM", session.Key));
        var zero = await FieldErrorsAsync(await SendAsync(HttpMethod.Get, "/api/v1/alerts?limit=0", session.Key));
        var unknown = await SendAsync(HttpMethod.Get, "/api/v1/alerts?page=2", session.Key);
        var withoutTenant = await SendAsync(HttpMethod.Get, "/api/v1/alerts", Host.AdminKey);

        Assert.Equal([("state", "unknown"), ("severity", "unknown"), ("limit", "range"), ("cursor", "invalid")], errors);
        Assert.Equal([("limit", "range")], zero);
        Assert.NotEmpty((await unknown.ReadProblemAsync()).FieldErrors("page"));
        Assert.NotEmpty((await withoutTenant.ReadProblemAsync()).FieldErrors("tenant"));
    }

    [Fact]
    public async Task ASnoozeMustEndInTheFutureWithinSevenDaysAndOnlyARaisedAlertCanBeAcknowledged()
    {
        var session = await NewSessionAsync("read:tenant");
        var id = await RaiseAsync(session);
        var snooze = $"/api/v1/alerts/{id}/snooze?tenant={session.Tenant}";

        var past = await FieldErrorsAsync(await SendAsync(HttpMethod.Post, snooze, Host.AdminKey, new { until = DateTimeOffset.UtcNow.AddMinutes(-1) }));
        var tooLong = await FieldErrorsAsync(await SendAsync(HttpMethod.Post, snooze, Host.AdminKey, new { until = DateTimeOffset.UtcNow.AddDays(8) }));
        var missing = await FieldErrorsAsync(await SendAsync(HttpMethod.Post, snooze, Host.AdminKey, new { }));
        await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/alerts/{id}/resolve?tenant={session.Tenant}", Host.AdminKey), HttpStatusCode.OK);
        var acknowledgeResolved = await SendAsync(HttpMethod.Post, $"/api/v1/alerts/{id}/acknowledge?tenant={session.Tenant}", Host.AdminKey);
        var noSuchAlert = await SendAsync(HttpMethod.Post, $"/api/v1/alerts/0000000000000000/acknowledge?tenant={session.Tenant}", Host.AdminKey);
        var byAReader = await SendAsync(HttpMethod.Post, $"/api/v1/alerts/{id}/resolve", session.Key);

        Assert.Equal([("until", "past")], past);
        Assert.Equal([("until", "range")], tooLong);
        Assert.Equal([("until", "required")], missing);
        Assert.Equal(HttpStatusCode.Conflict, acknowledgeResolved.StatusCode);
        Assert.Contains("resolved", (await acknowledgeResolved.ReadProblemAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, noSuchAlert.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byAReader.StatusCode);
    }

    [Fact]
    public async Task ConcurrentEvaluationsOnTheHostsStoreFireOnce()
    {
        var session = await NewSessionAsync("read:tenant");
        var key = new AlertKey("budget:race", AlertScopes.Tenant, "2026-12", 100m);
        var observation = new AlertObservation(key, AlertSeverity.Critical, LastHour, 130m);

        var evaluations = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            Alerts.EvaluateAsync(session.Tenant, observation, AlertPolicy.Default, DateTimeOffset.UtcNow, TestContext.Current.CancellationToken))));

        Assert.Equal(1, evaluations.Sum(e => e.Notifications.Count));
        Assert.Single((await Alerts.GetAsync(session.Tenant, key.Id, TestContext.Current.CancellationToken))!.Document.Outbox);
    }
}

public sealed class AlertsApiOnLocalMode() : AlertsApiTests(ApiHosts.Local());

public sealed class AlertsApiOnTheFunctionsApp(CosmosTestServerFixture cosmos, AzuriteFixture azurite) : AlertsApiTests(ApiHosts.Functions(cosmos, azurite));
