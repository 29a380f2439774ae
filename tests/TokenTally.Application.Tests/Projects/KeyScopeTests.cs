using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using TokenTally.Application.Alerts;
using TokenTally.Application.Tests.Anomalies;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Core.Alerts;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Projects;

/// <summary>
/// Every endpoint × every kind of caller: no key, the admin key, a project key with each scope (ingest, read:project,
/// read:tenant), and a key of another tenant — against the caller's own project, another project of its tenant, and another
/// tenant. An ingestion key embedded in an app reads nothing; a read:project key reads its project only.
/// </summary>
public abstract class KeyScopeTests(Func<Task<IApiHost>> start) : ApiSpecification(start)
{
    private enum Caller
    {
        None,
        Admin,
        Ingest,
        ReadProject,
        ReadTenant,
        OtherTenant,
    }

    private sealed record World(ApiSession A1, ApiSession A2, ApiSession B1, IReadOnlyDictionary<Caller, string?> Keys, IReadOnlyList<string> Budgets, IReadOnlyList<string> Alerts, IReadOnlyList<string> Channels, IReadOnlyList<string> Rules);

    /// <summary>One request and what each caller gets: a status, and for some a check of what the answer shows.</summary>
    private sealed record Case(string Template, HttpMethod Method, string Path, object? Body, IReadOnlyDictionary<Caller, (HttpStatusCode Status, Func<JsonElement, bool>? Shows)> Expect);

    private async Task<World> ArrangeAsync()
    {
        var a1 = await NewSessionAsync("ingest");
        var a2 = await ApiSession.CreateAsync(Host, ["ingest"], tenant: a1.Tenant);
        var b1 = await NewSessionAsync("ingest");
        await a1.PostEventsAsync(CallRecords.Batch(CallRecords.Record("a1-call", Pipelines.ClosedHour(1))));
        await a2.PostEventsAsync(CallRecords.Batch(CallRecords.Record("a2-call", Pipelines.ClosedHour(1))));
        await b1.PostEventsAsync(CallRecords.Batch(CallRecords.Record("b1-call", Pipelines.ClosedHour(1))));
        await a1.SendAdminAsync(HttpMethod.Put, $"/api/v1/admin/tenants/{a1.Tenant}/price-overrides", new { discountPercent = 10 });
        await Host.RunHourAsync();
        var budgets = new List<string>();
        foreach (var scope in new object[] { new { project = new[] { a1.Project } }, new { }, new { } })
        {
            var created = await a1.SendAdminAsync(HttpMethod.Post, $"/api/v1/budgets?tenant={a1.Tenant}", Budget(scope));
            budgets.Add((await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        }

        var rules = new List<string>();
        foreach (var scope in new object[] { new { project = new[] { a1.Project } }, new { }, new { } })
        {
            var created = await a1.SendAdminAsync(HttpMethod.Post, $"/api/v1/alert-rules?tenant={a1.Tenant}", new { name = "matrix", metric = "error_rate", threshold = 5, scope });
            rules.Add((await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        }

        // Alerts come from rules, not the API: [0] is scoped to a1's project, [1] is tenant-wide.
        var alerts = new List<string>();
        foreach (var scope in new[] { AlertScopes.Project(a1.Project), AlertScopes.Tenant })
        {
            var key = new AlertKey("budget:matrix", scope, "2026-12", 80m);
            await Host.Services.GetRequiredService<AlertStore>().EvaluateAsync(
                a1.Tenant, new AlertObservation(key, AlertSeverity.Warning, Pipelines.ClosedHour(1), 90m), AlertPolicy.Default, DateTimeOffset.UtcNow, TestContext.Current.CancellationToken);
            alerts.Add(key.Id);
        }

        await AnomalySamples.StoreAsync(Host.Services, a1.Tenant, a1.Project, Pipelines.ClosedHour(1));
        var channels = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var created = await a1.SendAdminAsync(HttpMethod.Post, $"/api/v1/channels?tenant={a1.Tenant}", Channel());
            channels.Add((await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        }

        var keys = new Dictionary<Caller, string?>
        {
            [Caller.None] = null,
            [Caller.Admin] = Host.AdminKey,
            [Caller.Ingest] = a1.Key,
            [Caller.ReadProject] = await a1.KeyWithAsync("read:project"),
            [Caller.ReadTenant] = await a1.KeyWithAsync("read:tenant"),
            [Caller.OtherTenant] = await b1.KeyWithAsync("ingest", "read:tenant"),
        };
        return new World(a1, a2, b1, keys, budgets, alerts, channels, rules);
    }

    private static object Budget(object scope) => new { name = "matrix", scope, period = new { kind = "month" }, amountUsd = 100 };

    /// <summary>A webhook channel whose receiver refuses connections: a test alert to it fails at once (one attempt in these hosts).</summary>
    private static object Channel() => new
    {
        name = "matrix", kind = "webhook", settings = new { url = "https://127.0.0.1:1/hook" }, secrets = new { signingSecret = "whsec_" + Convert.ToBase64String(new byte[32]) },
    };

    private static long Calls(JsonElement report) => report.GetProperty("total").GetProperty("calls").GetInt64();

    private static IReadOnlyDictionary<Caller, (HttpStatusCode, Func<JsonElement, bool>?)> Only(HttpStatusCode allowed, HttpStatusCode others, params Caller[] callers) =>
        Enum.GetValues<Caller>().ToDictionary(c => c, c => (c == Caller.None ? HttpStatusCode.Unauthorized : callers.Contains(c) ? allowed : others, (Func<JsonElement, bool>?)null));

    private static IReadOnlyDictionary<Caller, (HttpStatusCode, Func<JsonElement, bool>?)> Everyone(HttpStatusCode status) =>
        Enum.GetValues<Caller>().ToDictionary(c => c, _ => (status, (Func<JsonElement, bool>?)null));

    private static IEnumerable<Case> Cases(World w)
    {
        var (a1, a2) = (w.A1, w.A2);
        var admin = Only(HttpStatusCode.OK, HttpStatusCode.Forbidden, Caller.Admin);
        var recent = Uri.EscapeDataString(Pipelines.ClosedHour(3).ToString("O"));
        yield return new("GET /api/health", HttpMethod.Get, "/api/health", null, Everyone(HttpStatusCode.OK));
        yield return new("GET /api/health/live", HttpMethod.Get, "/api/health/live", null, Everyone(HttpStatusCode.OK));
        yield return new("GET /api/v1/schema/call-event.json", HttpMethod.Get, "/api/v1/schema/call-event.json", null, Everyone(HttpStatusCode.OK));
        yield return new("GET /api/v1/openapi.json", HttpMethod.Get, "/api/v1/openapi.json", null, Everyone(HttpStatusCode.OK));
        yield return new("GET /api/v1/admin/health", HttpMethod.Get, "/api/v1/admin/health", null, admin);

        yield return new("POST /api/v1/events", HttpMethod.Post, "/api/v1/events", new[] { JsonSerializer.Deserialize<JsonElement>(CallRecords.Record()) },
            Only(HttpStatusCode.OK, HttpStatusCode.Forbidden, Caller.Ingest, Caller.OtherTenant));
        yield return new("POST /api/v1/events", HttpMethod.Post, "/api/v1/events", new[] { JsonSerializer.Deserialize<JsonElement>(CallRecords.Record(extra: $",\"project\":\"{a2.Project}\"")) },
            Only(HttpStatusCode.Forbidden, HttpStatusCode.Forbidden));

        var read = new Dictionary<Caller, (HttpStatusCode, Func<JsonElement, bool>?)>
        {
            [Caller.None] = (HttpStatusCode.Unauthorized, null),
            [Caller.Admin] = (HttpStatusCode.Forbidden, null),
            [Caller.Ingest] = (HttpStatusCode.Forbidden, null),
        };
        yield return new("GET /api/v1/calls/{id}", HttpMethod.Get, "/api/v1/calls/a1-call", null, new Dictionary<Caller, (HttpStatusCode, Func<JsonElement, bool>?)>(read)
        {
            [Caller.ReadProject] = (HttpStatusCode.OK, null),
            [Caller.ReadTenant] = (HttpStatusCode.OK, null),
            [Caller.OtherTenant] = (HttpStatusCode.NotFound, null),
        });
        yield return new("GET /api/v1/calls/{id}", HttpMethod.Get, "/api/v1/calls/a2-call", null, new Dictionary<Caller, (HttpStatusCode, Func<JsonElement, bool>?)>(read)
        {
            [Caller.ReadProject] = (HttpStatusCode.NotFound, null),
            [Caller.ReadTenant] = (HttpStatusCode.OK, null),
            [Caller.OtherTenant] = (HttpStatusCode.NotFound, null),
        });
        yield return new("GET /api/v1/costs", HttpMethod.Get, $"/api/v1/costs?from={recent}", null, new Dictionary<Caller, (HttpStatusCode, Func<JsonElement, bool>?)>(read)
        {
            [Caller.ReadProject] = (HttpStatusCode.OK, r => Calls(r) == 1),
            [Caller.ReadTenant] = (HttpStatusCode.OK, r => Calls(r) == 2),
            [Caller.OtherTenant] = (HttpStatusCode.OK, r => Calls(r) == 1),
        });
        yield return new("GET /api/v1/costs", HttpMethod.Get, $"/api/v1/costs?from={recent}&project={a2.Project}", null, new Dictionary<Caller, (HttpStatusCode, Func<JsonElement, bool>?)>(read)
        {
            [Caller.ReadProject] = (HttpStatusCode.Forbidden, null),
            [Caller.ReadTenant] = (HttpStatusCode.OK, r => Calls(r) == 1),
            [Caller.OtherTenant] = (HttpStatusCode.OK, r => Calls(r) == 0),
        });
        yield return new("GET /api/v1/costs/summary", HttpMethod.Get, "/api/v1/costs/summary", null, new Dictionary<Caller, (HttpStatusCode, Func<JsonElement, bool>?)>(read)
        {
            [Caller.ReadProject] = (HttpStatusCode.OK, r => r.GetProperty("biggestMovers").EnumerateArray().Sum(m => m.GetProperty("lastWeekUsd").GetDecimal()) > 0),
            [Caller.ReadTenant] = (HttpStatusCode.OK, null),
            [Caller.OtherTenant] = (HttpStatusCode.OK, null),
        });
        yield return new("GET /api/v1/usage/top", HttpMethod.Get, $"/api/v1/usage/top?dimension=project&from={recent}", null, new Dictionary<Caller, (HttpStatusCode, Func<JsonElement, bool>?)>(read)
        {
            [Caller.ReadProject] = (HttpStatusCode.OK, r => r.EnumerateArray().Select(e => e.GetProperty("value").GetString()).SequenceEqual([a1.Project])),
            [Caller.ReadTenant] = (HttpStatusCode.OK, r => r.GetArrayLength() == 2),
            [Caller.OtherTenant] = (HttpStatusCode.OK, r => r.GetArrayLength() == 1 && r[0].GetProperty("value").GetString() == w.B1.Project),
        });
        yield return new("GET /api/v1/prices", HttpMethod.Get, "/api/v1/prices", null, new Dictionary<Caller, (HttpStatusCode, Func<JsonElement, bool>?)>
        {
            [Caller.None] = (HttpStatusCode.Unauthorized, null),
            [Caller.Admin] = (HttpStatusCode.OK, r => !HasOverrides(r)),
            [Caller.Ingest] = (HttpStatusCode.OK, r => !HasOverrides(r)),
            [Caller.ReadProject] = (HttpStatusCode.OK, r => !HasOverrides(r)),
            [Caller.ReadTenant] = (HttpStatusCode.OK, HasOverrides),
            [Caller.OtherTenant] = (HttpStatusCode.OK, r => !HasOverrides(r)),
        });
        yield return new("GET /api/v1/prices/unpriced", HttpMethod.Get, "/api/v1/prices/unpriced", null, Only(HttpStatusCode.OK, HttpStatusCode.Forbidden, Caller.ReadTenant, Caller.OtherTenant));

        // Budgets: w.Budgets[0] is scoped to a1's project, [1] is tenant-wide, [2] is there to be deleted.
        var budgets = $"/api/v1/budgets?tenant={a1.Tenant}";
        string Budget(int index) => $"/api/v1/budgets/{w.Budgets[index]}?tenant={a1.Tenant}";
        yield return new("GET /api/v1/budgets/", HttpMethod.Get, budgets, null, new Dictionary<Caller, (HttpStatusCode, Func<JsonElement, bool>?)>
        {
            [Caller.None] = (HttpStatusCode.Unauthorized, null),
            [Caller.Admin] = (HttpStatusCode.OK, r => r.GetArrayLength() >= 2),
            [Caller.Ingest] = (HttpStatusCode.Forbidden, null),
            [Caller.ReadProject] = (HttpStatusCode.OK, r => r.EnumerateArray().Select(b => b.GetProperty("id").GetString()).SequenceEqual([w.Budgets[0]])),
            [Caller.ReadTenant] = (HttpStatusCode.OK, r => r.GetArrayLength() >= 2),
            [Caller.OtherTenant] = (HttpStatusCode.Forbidden, null),
        });
        yield return new("GET /api/v1/budgets/", HttpMethod.Get, "/api/v1/budgets", null, new Dictionary<Caller, (HttpStatusCode, Func<JsonElement, bool>?)>
        {
            [Caller.None] = (HttpStatusCode.Unauthorized, null),
            [Caller.Admin] = (HttpStatusCode.BadRequest, null),
            [Caller.Ingest] = (HttpStatusCode.Forbidden, null),
            [Caller.ReadProject] = (HttpStatusCode.OK, r => r.GetArrayLength() == 1),
            [Caller.ReadTenant] = (HttpStatusCode.OK, r => r.GetArrayLength() >= 2),
            [Caller.OtherTenant] = (HttpStatusCode.OK, r => r.GetArrayLength() == 0),
        });
        yield return new("POST /api/v1/budgets/", HttpMethod.Post, budgets, new { name = "matrix", period = new { kind = "day" }, amountUsd = 5 }, Only(HttpStatusCode.Created, HttpStatusCode.Forbidden, Caller.Admin));
        var readBudget = new Dictionary<Caller, (HttpStatusCode, Func<JsonElement, bool>?)>
        {
            [Caller.None] = (HttpStatusCode.Unauthorized, null),
            [Caller.Admin] = (HttpStatusCode.OK, null),
            [Caller.Ingest] = (HttpStatusCode.Forbidden, null),
            [Caller.ReadProject] = (HttpStatusCode.OK, null),
            [Caller.ReadTenant] = (HttpStatusCode.OK, null),
            [Caller.OtherTenant] = (HttpStatusCode.Forbidden, null),
        };
        bool HasBudget(JsonElement status, int index) => status.GetProperty("budgets").EnumerateArray().Any(b => b.GetProperty("id").GetString() == w.Budgets[index]);
        yield return new("GET /api/v1/budgets/status", HttpMethod.Get, $"/api/v1/budgets/status?tenant={a1.Tenant}", null, new Dictionary<Caller, (HttpStatusCode, Func<JsonElement, bool>?)>
        {
            [Caller.None] = (HttpStatusCode.Unauthorized, null),
            [Caller.Admin] = (HttpStatusCode.OK, r => HasBudget(r, 1) && !HasBudget(r, 0)),
            [Caller.Ingest] = (HttpStatusCode.OK, r => HasBudget(r, 0) && HasBudget(r, 1)),
            [Caller.ReadProject] = (HttpStatusCode.OK, r => HasBudget(r, 0) && HasBudget(r, 1)),
            [Caller.ReadTenant] = (HttpStatusCode.OK, r => HasBudget(r, 1) && !HasBudget(r, 0)),
            [Caller.OtherTenant] = (HttpStatusCode.Forbidden, null),
        });
        yield return new("GET /api/v1/forecasts", HttpMethod.Get, $"/api/v1/forecasts?tenant={a1.Tenant}", null, new Dictionary<Caller, (HttpStatusCode, Func<JsonElement, bool>?)>(readBudget)
        {
            [Caller.ReadProject] = (HttpStatusCode.OK, r => r.EnumerateArray().All(f => f.GetProperty("series").GetString() != "tenant")),
        });
        yield return new("GET /api/v1/budgets/{id}", HttpMethod.Get, Budget(0), null, readBudget);
        yield return new("GET /api/v1/budgets/{id}", HttpMethod.Get, Budget(1), null, new Dictionary<Caller, (HttpStatusCode, Func<JsonElement, bool>?)>(readBudget) { [Caller.ReadProject] = (HttpStatusCode.NotFound, null) });
        yield return new("PUT /api/v1/budgets/{id}", HttpMethod.Put, Budget(1), new { name = "matrix", period = new { kind = "week" }, amountUsd = 50 }, Only(HttpStatusCode.OK, HttpStatusCode.Forbidden, Caller.Admin));
        yield return new("DELETE /api/v1/budgets/{id}", HttpMethod.Delete, Budget(2), null, Only(HttpStatusCode.NoContent, HttpStatusCode.Forbidden, Caller.Admin));

        // Alert rules: w.Rules[0] is scoped to a1's project, [1] is tenant-wide, [2] is there to be deleted.
        string Rule(int index) => $"/api/v1/alert-rules/{w.Rules[index]}?tenant={a1.Tenant}";
        bool RuleIds(JsonElement r, params int[] indexes) => r.EnumerateArray().Select(x => x.GetProperty("id").GetString()).Order().SequenceEqual(indexes.Select(i => w.Rules[i]).Order());
        yield return new("GET /api/v1/alert-rules/", HttpMethod.Get, $"/api/v1/alert-rules?tenant={a1.Tenant}", null, new Dictionary<Caller, (HttpStatusCode, Func<JsonElement, bool>?)>
        {
            [Caller.None] = (HttpStatusCode.Unauthorized, null),
            [Caller.Admin] = (HttpStatusCode.OK, r => r.GetArrayLength() >= 2),
            [Caller.Ingest] = (HttpStatusCode.Forbidden, null),
            [Caller.ReadProject] = (HttpStatusCode.OK, r => RuleIds(r, 0)),
            [Caller.ReadTenant] = (HttpStatusCode.OK, r => r.GetArrayLength() >= 2),
            [Caller.OtherTenant] = (HttpStatusCode.Forbidden, null),
        });
        yield return new("POST /api/v1/alert-rules/", HttpMethod.Post, $"/api/v1/alert-rules?tenant={a1.Tenant}", new { name = "matrix", metric = "calls", threshold = 1000 },
            Only(HttpStatusCode.Created, HttpStatusCode.Forbidden, Caller.Admin));
        yield return new("GET /api/v1/alert-rules/{id}", HttpMethod.Get, Rule(1), null, new Dictionary<Caller, (HttpStatusCode, Func<JsonElement, bool>?)>(readBudget) { [Caller.ReadProject] = (HttpStatusCode.NotFound, null) });
        yield return new("GET /api/v1/alert-rules/{id}", HttpMethod.Get, Rule(0), null, readBudget);
        yield return new("PUT /api/v1/alert-rules/{id}", HttpMethod.Put, Rule(1), new { name = "matrix", metric = "p95_latency_ms", threshold = 2000, windowHours = 3 },
            Only(HttpStatusCode.OK, HttpStatusCode.Forbidden, Caller.Admin));
        yield return new("DELETE /api/v1/alert-rules/{id}", HttpMethod.Delete, Rule(2), null, Only(HttpStatusCode.NoContent, HttpStatusCode.Forbidden, Caller.Admin));

        // Alerts: w.Alerts[0] is scoped to a1's project, [1] is tenant-wide (acknowledged, snoozed, then resolved by the admin).
        yield return new("GET /api/v1/alerts/", HttpMethod.Get, $"/api/v1/alerts?tenant={a1.Tenant}", null, new Dictionary<Caller, (HttpStatusCode, Func<JsonElement, bool>?)>
        {
            [Caller.None] = (HttpStatusCode.Unauthorized, null),
            [Caller.Admin] = (HttpStatusCode.OK, r => AlertIds(r).Count == 2),
            [Caller.Ingest] = (HttpStatusCode.Forbidden, null),
            [Caller.ReadProject] = (HttpStatusCode.OK, r => AlertIds(r).SequenceEqual([w.Alerts[0]])),
            [Caller.ReadTenant] = (HttpStatusCode.OK, r => AlertIds(r).Count == 2),
            [Caller.OtherTenant] = (HttpStatusCode.Forbidden, null),
        });
        yield return new("GET /api/v1/alerts/", HttpMethod.Get, "/api/v1/alerts", null, new Dictionary<Caller, (HttpStatusCode, Func<JsonElement, bool>?)>
        {
            [Caller.None] = (HttpStatusCode.Unauthorized, null),
            [Caller.Admin] = (HttpStatusCode.BadRequest, null),
            [Caller.Ingest] = (HttpStatusCode.Forbidden, null),
            [Caller.ReadProject] = (HttpStatusCode.OK, r => AlertIds(r).Count == 1),
            [Caller.ReadTenant] = (HttpStatusCode.OK, r => AlertIds(r).Count == 2),
            [Caller.OtherTenant] = (HttpStatusCode.OK, r => AlertIds(r).Count == 0),
        });
        // Anomalies come from the hourly scan: [0] is on a1's project's slice, [1] on the whole tenant.
        var anomalies = AnomalySamples.Ids(a1.Tenant, a1.Project, Pipelines.ClosedHour(1));
        yield return new("GET /api/v1/anomalies/", HttpMethod.Get, $"/api/v1/anomalies?tenant={a1.Tenant}", null, new Dictionary<Caller, (HttpStatusCode, Func<JsonElement, bool>?)>
        {
            [Caller.None] = (HttpStatusCode.Unauthorized, null),
            [Caller.Admin] = (HttpStatusCode.OK, r => AlertIds(r).Count == 2),
            [Caller.Ingest] = (HttpStatusCode.Forbidden, null),
            [Caller.ReadProject] = (HttpStatusCode.OK, r => AlertIds(r).SequenceEqual([anomalies[0]])),
            [Caller.ReadTenant] = (HttpStatusCode.OK, r => AlertIds(r).Count == 2),
            [Caller.OtherTenant] = (HttpStatusCode.Forbidden, null),
        });
        yield return new("GET /api/v1/anomalies/{id}", HttpMethod.Get, $"/api/v1/anomalies/{anomalies[0]}?tenant={a1.Tenant}", null, readBudget);
        yield return new("GET /api/v1/anomalies/{id}", HttpMethod.Get, $"/api/v1/anomalies/{anomalies[1]}?tenant={a1.Tenant}", null,
            new Dictionary<Caller, (HttpStatusCode, Func<JsonElement, bool>?)>(readBudget) { [Caller.ReadProject] = (HttpStatusCode.NotFound, null) });
        yield return new("POST /api/v1/anomalies/{id}/feedback", HttpMethod.Post, $"/api/v1/anomalies/{anomalies[1]}/feedback?tenant={a1.Tenant}", new { verdict = "expected" },
            Only(HttpStatusCode.OK, HttpStatusCode.Forbidden, Caller.Admin));

        string Alert(string action) => $"/api/v1/alerts/{w.Alerts[1]}/{action}?tenant={a1.Tenant}";
        yield return new("POST /api/v1/alerts/{id}/acknowledge", HttpMethod.Post, Alert("acknowledge"), null, Only(HttpStatusCode.OK, HttpStatusCode.Forbidden, Caller.Admin));
        yield return new("POST /api/v1/alerts/{id}/snooze", HttpMethod.Post, Alert("snooze"), new { until = DateTimeOffset.UtcNow.AddDays(1) }, Only(HttpStatusCode.OK, HttpStatusCode.Forbidden, Caller.Admin));
        yield return new("POST /api/v1/alerts/{id}/resolve", HttpMethod.Post, Alert("resolve"), null, Only(HttpStatusCode.OK, HttpStatusCode.Forbidden, Caller.Admin));

        // Channels: w.Channels[0] is read, replaced and tested, [1] is there to be deleted.
        var channels = $"/api/v1/channels?tenant={a1.Tenant}";
        string ChannelPath(int index, string suffix = "") => $"/api/v1/channels/{w.Channels[index]}{suffix}?tenant={a1.Tenant}";
        var readChannels = new Dictionary<Caller, (HttpStatusCode, Func<JsonElement, bool>?)>
        {
            [Caller.None] = (HttpStatusCode.Unauthorized, null),
            [Caller.Admin] = (HttpStatusCode.OK, null),
            [Caller.Ingest] = (HttpStatusCode.Forbidden, null),
            [Caller.ReadProject] = (HttpStatusCode.Forbidden, null),
            [Caller.ReadTenant] = (HttpStatusCode.OK, null),
            [Caller.OtherTenant] = (HttpStatusCode.Forbidden, null),
        };
        yield return new("GET /api/v1/channels/", HttpMethod.Get, channels, null, new Dictionary<Caller, (HttpStatusCode, Func<JsonElement, bool>?)>(readChannels)
        {
            [Caller.Admin] = (HttpStatusCode.OK, r => r.GetArrayLength() >= 2),
            [Caller.ReadTenant] = (HttpStatusCode.OK, r => r.GetArrayLength() >= 2 && !r.ToString().Contains("whsec_", StringComparison.Ordinal)),
        });
        yield return new("POST /api/v1/channels/", HttpMethod.Post, channels, Channel(), Only(HttpStatusCode.Created, HttpStatusCode.Forbidden, Caller.Admin));
        yield return new("GET /api/v1/channels/{id}", HttpMethod.Get, ChannelPath(0), null, readChannels);
        yield return new("PUT /api/v1/channels/{id}", HttpMethod.Put, ChannelPath(0), new { name = "matrix, renamed", kind = "webhook", settings = new { url = "https://127.0.0.1:1/hook" } },
            Only(HttpStatusCode.OK, HttpStatusCode.Forbidden, Caller.Admin));
        yield return new("POST /api/v1/channels/{id}/test", HttpMethod.Post, ChannelPath(0, "/test"), null, new Dictionary<Caller, (HttpStatusCode, Func<JsonElement, bool>?)>(
            Only(HttpStatusCode.OK, HttpStatusCode.Forbidden, Caller.Admin))
        {
            [Caller.Admin] = (HttpStatusCode.OK, r => r.GetProperty("outcome").GetString() == "failed" && r.GetProperty("attempts").GetInt32() == 1),
        });
        yield return new("DELETE /api/v1/channels/{id}", HttpMethod.Delete, ChannelPath(1), null, Only(HttpStatusCode.NoContent, HttpStatusCode.Forbidden, Caller.Admin));

        var projects = $"/api/v1/admin/projects/{a1.Tenant}/{a1.Project}";
        yield return new("POST /api/v1/admin/projects/", HttpMethod.Post, "/api/v1/admin/projects", new { tenant = a1.Tenant, project = a1.Project }, Only(HttpStatusCode.Conflict, HttpStatusCode.Forbidden, Caller.Admin));
        yield return new("GET /api/v1/admin/projects/{tenant}/{project}", HttpMethod.Get, projects, null, admin);
        yield return new("PUT /api/v1/admin/projects/{tenant}/{project}/azure-deployments", HttpMethod.Put, projects + "/azure-deployments", new Dictionary<string, string> { ["eu"] = "gpt-4o" }, admin);
        yield return new("POST /api/v1/admin/projects/{tenant}/{project}/keys", HttpMethod.Post, projects + "/keys", new { name = "matrix" }, Only(HttpStatusCode.Created, HttpStatusCode.Forbidden, Caller.Admin));
        yield return new("GET /api/v1/admin/projects/{tenant}/{project}/keys", HttpMethod.Get, projects + "/keys", null, admin);
        yield return new("DELETE /api/v1/admin/projects/{tenant}/{project}/keys/{keyId}", HttpMethod.Delete, projects + "/keys/000000000000", null, Only(HttpStatusCode.NotFound, HttpStatusCode.Forbidden, Caller.Admin));
        yield return new("GET /api/v1/admin/tenants/{tenant}/price-overrides/", HttpMethod.Get, $"/api/v1/admin/tenants/{a1.Tenant}/price-overrides", null, admin);
        yield return new("PUT /api/v1/admin/tenants/{tenant}/price-overrides/", HttpMethod.Put, $"/api/v1/admin/tenants/{a1.Tenant}/price-overrides", new { discountPercent = 10 }, admin);
        yield return new("POST /api/v1/pipeline/runs/", HttpMethod.Post, "/api/v1/pipeline/runs", new { from = Pipelines.ClosedHour(2), to = Pipelines.ClosedHour(1) }, Only(HttpStatusCode.Accepted, HttpStatusCode.Forbidden, Caller.Admin));
        yield return new("GET /api/v1/pipeline/runs/", HttpMethod.Get, "/api/v1/pipeline/runs", null, admin);
        yield return new("GET /api/v1/pipeline/runs/{id}", HttpMethod.Get, "/api/v1/pipeline/runs/hourly-2000010100", null, Only(HttpStatusCode.NotFound, HttpStatusCode.Forbidden, Caller.Admin));
    }

    private static List<string?> AlertIds(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("id").GetString()).ToList();

    private static bool HasOverrides(JsonElement catalog) => catalog.TryGetProperty("tenantOverrides", out var overrides) && overrides.ValueKind == JsonValueKind.Object;

    [Fact]
    public async Task EveryEndpointAnswersEachKindOfCallerAsItsScopesAllow()
    {
        var world = await ArrangeAsync();
        var failures = new List<string>();

        foreach (var @case in Cases(world))
        {
            foreach (var (caller, (status, shows)) in @case.Expect)
            {
                using var request = new HttpRequestMessage(@case.Method, @case.Path);
                if (world.Keys[caller] is { } key)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                }

                if (@case.Body is not null)
                {
                    request.Content = JsonContent.Create(@case.Body);
                }

                var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);
                await EndpointMatrix.JudgeAsync(response, $"{@case.Method} {@case.Path} as {caller}", status, shows, failures);
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task EveryEndpointOfTheApiIsInTheMatrix()
    {
        var covered = Cases(await ArrangeAsync()).Select(c => c.Template).ToHashSet();

        var missing = (await EndpointMatrix.RoutesAsync()).Where(e => !covered.Contains(e)).ToList();
        Assert.True(missing.Count == 0, "Endpoints without a row in the key-scope matrix: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task AKeyWithoutAScopeIsRefusedAndTheAnswerNamesTheScopeItNeeds()
    {
        var session = await NewSessionAsync("ingest");

        var costs = await session.GetAsync("/api/v1/costs");
        var issue = await session.SendAdminAsync(HttpMethod.Post, $"/api/v1/admin/projects/{session.Tenant}/{session.Project}/keys", new { scopes = new[] { "write:everything" } });

        Assert.Equal(HttpStatusCode.Forbidden, costs.StatusCode);
        Assert.Contains("read:project", (await costs.ReadProblemAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.NotEmpty((await issue.ReadProblemAsync()).FieldErrors("scopes"));
    }

    [Fact]
    public async Task AKeyIssuedWithoutScopesMaySendButNotRead()
    {
        var session = await NewSessionAsync("ingest");
        var issued = await (await session.SendAdminAsync(HttpMethod.Post, $"/api/v1/admin/projects/{session.Tenant}/{session.Project}/keys", new { name = "app" }))
            .Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var key = issued.GetProperty("key").GetString()!;

        var send = await session.PostEventsAsync(CallRecords.Batch(CallRecords.Record("mine")), key: key);
        var read = await session.GetAsync("/api/v1/calls/mine", key);

        Assert.Equal(["ingest"], issued.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(HttpStatusCode.OK, send.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
    }
}

public sealed class KeyScopesOnLocalMode() : KeyScopeTests(ApiHosts.Local("--TokenTally:Alerts:Channels:MaxAttempts=1"));

public sealed class KeyScopesOnTheFunctionsApp(CosmosTestServerFixture cosmos, AzuriteFixture azurite)
    : KeyScopeTests(ApiHosts.Functions(cosmos, azurite, new Dictionary<string, string?> { ["TokenTally:Alerts:Channels:MaxAttempts"] = "1" }));
