using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using TokenTally.Application.Alerts;
using TokenTally.Application.SignIn;
using TokenTally.Application.Tests.Anomalies;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Core.Alerts;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.SignIn;

/// <summary>
/// Every endpoint × every kind of signed-in principal, on the Functions app behind App Service authentication: an admin, an
/// editor and a viewer of one tenant, and a principal with none of the app roles — and the same admin principal's headers
/// where they must not be believed: forged in local mode, sent to a Functions app whose sign-in is off, and to one whose
/// platform does not say its authentication runs. Those answer as if no one had signed in.
/// </summary>
public sealed class AppRoleTests(CosmosTestServerFixture cosmos, AzuriteFixture azurite)
    : ApiSpecification(ApiHosts.Functions(cosmos, azurite, Settings()))
{
    private enum Principal
    {
        Admin,
        Editor,
        Viewer,
        NoRole,
        ForgedInLocalMode,
        SignInOff,
        NoPlatformSignal,
    }

    private sealed record World(ApiSession A1, ApiSession A2, ApiSession B1, IReadOnlyList<string> Budgets, IReadOnlyDictionary<Principal, string> OwnBudgets,
        IReadOnlyDictionary<Principal, string> OwnAlerts, IReadOnlyList<string> Channels, IReadOnlyDictionary<Principal, string> OwnChannels, IReadOnlyDictionary<Principal, string> OwnRules);

    /// <summary>One request (its path may differ by principal, for what each deletes) and what each principal gets.</summary>
    private sealed record Case(string Template, HttpMethod Method, Func<Principal, string> Path, object? Body, IReadOnlyDictionary<Principal, (HttpStatusCode Status, Func<JsonElement, bool>? Shows)> Expect)
    {
        public Case(string template, HttpMethod method, string path, object? body, IReadOnlyDictionary<Principal, (HttpStatusCode, Func<JsonElement, bool>?)> expect)
            : this(template, method, _ => path, body, expect)
        {
        }
    }

    /// <summary>Behind App Service authentication, with one delivery attempt per channel (a test alert fails at once).</summary>
    private static Dictionary<string, string?> Settings() =>
        new(SignedInPrincipals.BehindAppServiceAuthentication()) { ["TokenTally:Alerts:Channels:MaxAttempts"] = "1" };

    private static string[] AppRolesOf(Principal principal) => principal switch
    {
        Principal.Admin => [AppRoles.Admin],
        Principal.Editor => [AppRoles.Editor],
        Principal.Viewer => [AppRoles.Viewer],
        Principal.NoRole => ["Some.Other.Role"],
        _ => [AppRoles.Admin],
    };

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

        var budgets = new List<string> { await CreateAsync(a1, "budgets", Budget(new { project = new[] { a1.Project } })), await CreateAsync(a1, "budgets", Budget(new { })) };
        var ownBudgets = new Dictionary<Principal, string>();
        var ownAlerts = new Dictionary<Principal, string>();
        var ownChannels = new Dictionary<Principal, string>();
        var ownRules = new Dictionary<Principal, string>();
        foreach (var principal in new[] { Principal.Admin, Principal.Editor })
        {
            ownRules[principal] = await CreateAsync(a1, "alert-rules", Rule());
            ownBudgets[principal] = await CreateAsync(a1, "budgets", Budget(new { }));
            ownChannels[principal] = await CreateAsync(a1, "channels", Channel());
            var key = new AlertKey($"budget:matrix-{principal}", AlertScopes.Tenant, "2026-12", 80m);
            await Host.Services.GetRequiredService<AlertStore>().EvaluateAsync(
                a1.Tenant, new AlertObservation(key, AlertSeverity.Warning, Pipelines.ClosedHour(1), 90m), AlertPolicy.Default, DateTimeOffset.UtcNow, TestContext.Current.CancellationToken);
            ownAlerts[principal] = key.Id;
        }

        await AnomalySamples.StoreAsync(Host.Services, a1.Tenant, a1.Project, Pipelines.ClosedHour(1));
        var channels = new List<string> { await CreateAsync(a1, "channels", Channel()) };
        return new World(a1, a2, b1, budgets, ownBudgets, ownAlerts, channels, ownChannels, ownRules);
    }

    private static async Task<string> CreateAsync(ApiSession session, string resources, object body)
    {
        var created = await session.SendAdminAsync(HttpMethod.Post, $"/api/v1/{resources}?tenant={session.Tenant}", body);
        return (await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static object Rule() => new { name = "matrix", metric = "error_rate", threshold = 5 };

    private static object Budget(object scope) => new { name = "matrix", scope, period = new { kind = "month" }, amountUsd = 100 };

    /// <summary>A webhook channel whose receiver refuses connections: a test alert to it fails at once (one attempt in these hosts).</summary>
    private static object Channel() => new
    {
        name = "matrix", kind = "webhook", settings = new { url = "https://127.0.0.1:1/hook" }, secrets = new { signingSecret = "whsec_" + Convert.ToBase64String(new byte[32]) },
    };

    /// <summary>What the admin, editor and viewer get; a principal without a role gets <paramref name="noRole"/>; untrusted headers are no sign-in at all.</summary>
    private static Dictionary<Principal, (HttpStatusCode, Func<JsonElement, bool>?)> Roles(
        HttpStatusCode admin, HttpStatusCode editor, HttpStatusCode viewer, Func<JsonElement, bool>? shows = null, HttpStatusCode noRole = HttpStatusCode.Forbidden) => new()
    {
        [Principal.Admin] = (admin, Successful(admin) ? shows : null),
        [Principal.Editor] = (editor, Successful(editor) ? shows : null),
        [Principal.Viewer] = (viewer, Successful(viewer) ? shows : null),
        [Principal.NoRole] = (noRole, null),
        [Principal.ForgedInLocalMode] = (HttpStatusCode.Unauthorized, null),
        [Principal.SignInOff] = (HttpStatusCode.Unauthorized, null),
        [Principal.NoPlatformSignal] = (HttpStatusCode.Unauthorized, null),
    };

    private static bool Successful(HttpStatusCode status) => (int)status is >= 200 and < 300;

    private static Dictionary<Principal, (HttpStatusCode, Func<JsonElement, bool>?)> Everyone(HttpStatusCode status) =>
        Enum.GetValues<Principal>().ToDictionary(p => p, _ => (status, (Func<JsonElement, bool>?)null));

    private static Dictionary<Principal, (HttpStatusCode, Func<JsonElement, bool>?)> AdminOnly(HttpStatusCode status) =>
        Roles(status, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden);

    private static Dictionary<Principal, (HttpStatusCode, Func<JsonElement, bool>?)> Managers(HttpStatusCode status, Func<JsonElement, bool>? shows = null) =>
        Roles(status, status, HttpStatusCode.Forbidden, shows);

    private static Dictionary<Principal, (HttpStatusCode, Func<JsonElement, bool>?)> Readers(Func<JsonElement, bool>? shows = null) =>
        Roles(HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, shows);

    private static long Calls(JsonElement report) => report.GetProperty("total").GetProperty("calls").GetInt64();

    private static List<string?> AlertIds(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("id").GetString()).ToList();

    private static bool HasOverrides(JsonElement catalog) => catalog.TryGetProperty("tenantOverrides", out var overrides) && overrides.ValueKind == JsonValueKind.Object;

    private static IEnumerable<Case> Cases(World w)
    {
        var (a1, b1) = (w.A1, w.B1);
        var tenant = a1.Tenant;
        var recent = Uri.EscapeDataString(Pipelines.ClosedHour(3).ToString("O"));
        yield return new("GET /api/health", HttpMethod.Get, "/api/health", null, Everyone(HttpStatusCode.OK));
        yield return new("GET /api/health/live", HttpMethod.Get, "/api/health/live", null, Everyone(HttpStatusCode.OK));
        yield return new("GET /api/v1/schema/call-event.json", HttpMethod.Get, "/api/v1/schema/call-event.json", null, Everyone(HttpStatusCode.OK));
        yield return new("GET /api/v1/openapi.json", HttpMethod.Get, "/api/v1/openapi.json", null, Everyone(HttpStatusCode.OK));
        yield return new("GET /api/v1/admin/health", HttpMethod.Get, "/api/v1/admin/health", null, AdminOnly(HttpStatusCode.OK));

        // People read and manage; only apps send calls, with a key.
        yield return new("POST /api/v1/events", HttpMethod.Post, "/api/v1/events", new[] { JsonSerializer.Deserialize<JsonElement>(CallRecords.Record()) },
            Roles(HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden));

        // Each reads its own tenant, every project of it; another tenant's call is not there.
        yield return new("GET /api/v1/calls/{id}", HttpMethod.Get, "/api/v1/calls/a2-call", null, Readers());
        yield return new("GET /api/v1/calls/{id}", HttpMethod.Get, "/api/v1/calls/b1-call", null, Roles(HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound));
        yield return new("GET /api/v1/costs", HttpMethod.Get, $"/api/v1/costs?from={recent}", null, Readers(r => Calls(r) == 2));
        yield return new("GET /api/v1/costs/summary", HttpMethod.Get, "/api/v1/costs/summary", null, Readers());
        yield return new("GET /api/v1/usage/top", HttpMethod.Get, $"/api/v1/usage/top?dimension=project&from={recent}", null, Readers(r => r.GetArrayLength() == 2));
        yield return new("GET /api/v1/prices", HttpMethod.Get, "/api/v1/prices", null, Readers(HasOverrides));
        yield return new("GET /api/v1/prices/unpriced", HttpMethod.Get, "/api/v1/prices/unpriced", null, Readers());

        // Budgets: the admin names any tenant (its own by default); an editor or viewer has its own only.
        yield return new("GET /api/v1/budgets/", HttpMethod.Get, $"/api/v1/budgets?tenant={tenant}", null, Readers(r => r.GetArrayLength() >= 2));
        yield return new("GET /api/v1/budgets/", HttpMethod.Get, "/api/v1/budgets", null, Readers(r => r.GetArrayLength() >= 2));
        yield return new("GET /api/v1/budgets/", HttpMethod.Get, $"/api/v1/budgets?tenant={b1.Tenant}", null, Roles(HttpStatusCode.OK, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden));
        yield return new("POST /api/v1/budgets/", HttpMethod.Post, $"/api/v1/budgets?tenant={tenant}", new { name = "matrix", period = new { kind = "day" }, amountUsd = 5 }, Managers(HttpStatusCode.Created));
        yield return new("POST /api/v1/budgets/", HttpMethod.Post, $"/api/v1/budgets?tenant={b1.Tenant}", new { name = "matrix", period = new { kind = "day" }, amountUsd = 5 },
            Roles(HttpStatusCode.Created, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden));
        string BudgetPath(string id) => $"/api/v1/budgets/{id}?tenant={tenant}";
        yield return new("GET /api/v1/budgets/{id}", HttpMethod.Get, BudgetPath(w.Budgets[0]), null, Readers());
        yield return new("PUT /api/v1/budgets/{id}", HttpMethod.Put, BudgetPath(w.Budgets[1]), new { name = "matrix", period = new { kind = "week" }, amountUsd = 50 }, Managers(HttpStatusCode.OK));
        yield return new("DELETE /api/v1/budgets/{id}", HttpMethod.Delete, p => BudgetPath(w.OwnBudgets.GetValueOrDefault(p, w.Budgets[1])), null, Managers(HttpStatusCode.NoContent));

        yield return new("GET /api/v1/budgets/status", HttpMethod.Get, $"/api/v1/budgets/status?tenant={tenant}", null,
            Readers(r => r.GetProperty("budgets").EnumerateArray().Any(b => b.GetProperty("id").GetString() == w.Budgets[1])));

        yield return new("GET /api/v1/forecasts", HttpMethod.Get, $"/api/v1/forecasts?tenant={tenant}", null, Readers(r => r.ValueKind == JsonValueKind.Array));

        // Alert rules, managed as budgets are.
        string RulePath(string id) => $"/api/v1/alert-rules/{id}?tenant={tenant}";
        yield return new("GET /api/v1/alert-rules/", HttpMethod.Get, $"/api/v1/alert-rules?tenant={tenant}", null, Readers(r => r.GetArrayLength() >= 2));
        yield return new("POST /api/v1/alert-rules/", HttpMethod.Post, $"/api/v1/alert-rules?tenant={tenant}", Rule(), Managers(HttpStatusCode.Created));
        yield return new("GET /api/v1/alert-rules/{id}", HttpMethod.Get, RulePath(w.OwnRules[Principal.Admin]), null, Readers());
        yield return new("PUT /api/v1/alert-rules/{id}", HttpMethod.Put, RulePath(w.OwnRules[Principal.Admin]), new { name = "matrix", metric = "calls", threshold = 10 }, Managers(HttpStatusCode.OK));
        yield return new("DELETE /api/v1/alert-rules/{id}", HttpMethod.Delete, p => RulePath(w.OwnRules.GetValueOrDefault(p, w.OwnRules[Principal.Admin])), null, Managers(HttpStatusCode.NoContent));

        // Alerts: the admin and the editor each acknowledge, snooze and resolve one of their own.
        yield return new("GET /api/v1/alerts/", HttpMethod.Get, $"/api/v1/alerts?tenant={tenant}", null, Readers(r => AlertIds(r).Count == 2));
        string AlertPath(Principal p, string action) => $"/api/v1/alerts/{w.OwnAlerts.GetValueOrDefault(p, w.OwnAlerts[Principal.Admin])}/{action}?tenant={tenant}";
        yield return new("POST /api/v1/alerts/{id}/acknowledge", HttpMethod.Post, p => AlertPath(p, "acknowledge"), null, Managers(HttpStatusCode.OK));
        yield return new("POST /api/v1/alerts/{id}/snooze", HttpMethod.Post, p => AlertPath(p, "snooze"), new { until = DateTimeOffset.UtcNow.AddDays(1) }, Managers(HttpStatusCode.OK));
        yield return new("POST /api/v1/alerts/{id}/resolve", HttpMethod.Post, p => AlertPath(p, "resolve"), null, Managers(HttpStatusCode.OK));

        // Anomalies come from the hourly scan: readers read them, managers give verdicts.
        var anomalies = AnomalySamples.Ids(tenant, a1.Project, Pipelines.ClosedHour(1));
        yield return new("GET /api/v1/anomalies/", HttpMethod.Get, $"/api/v1/anomalies?tenant={tenant}", null, Readers(r => AlertIds(r).Count == 2));
        yield return new("GET /api/v1/anomalies/{id}", HttpMethod.Get, $"/api/v1/anomalies/{anomalies[1]}?tenant={tenant}", null, Readers());
        yield return new("POST /api/v1/anomalies/{id}/feedback", HttpMethod.Post, $"/api/v1/anomalies/{anomalies[1]}/feedback?tenant={tenant}", new { verdict = "confirmed" }, Managers(HttpStatusCode.OK));

        // Channels: secrets are never shown, to a reader or a manager.
        string ChannelPath(string id, string suffix = "") => $"/api/v1/channels/{id}{suffix}?tenant={tenant}";
        yield return new("GET /api/v1/channels/", HttpMethod.Get, $"/api/v1/channels?tenant={tenant}", null,
            Readers(r => r.GetArrayLength() >= 3 && !r.ToString().Contains("whsec_", StringComparison.Ordinal)));
        yield return new("POST /api/v1/channels/", HttpMethod.Post, $"/api/v1/channels?tenant={tenant}", Channel(), Managers(HttpStatusCode.Created, r => !r.ToString().Contains("whsec_", StringComparison.Ordinal)));
        yield return new("GET /api/v1/channels/{id}", HttpMethod.Get, ChannelPath(w.Channels[0]), null, Readers());
        yield return new("PUT /api/v1/channels/{id}", HttpMethod.Put, ChannelPath(w.Channels[0]), new { name = "matrix, renamed", kind = "webhook", settings = new { url = "https://127.0.0.1:1/hook" } },
            Managers(HttpStatusCode.OK));
        yield return new("POST /api/v1/channels/{id}/test", HttpMethod.Post, ChannelPath(w.Channels[0], "/test"), null,
            Managers(HttpStatusCode.OK, r => r.GetProperty("outcome").GetString() == "failed" && r.GetProperty("attempts").GetInt32() == 1));
        yield return new("DELETE /api/v1/channels/{id}", HttpMethod.Delete, p => ChannelPath(w.OwnChannels.GetValueOrDefault(p, w.Channels[0])), null, Managers(HttpStatusCode.NoContent));

        // Administration is the admin's alone.
        var project = $"/api/v1/admin/projects/{tenant}/{a1.Project}";
        yield return new("POST /api/v1/admin/projects/", HttpMethod.Post, "/api/v1/admin/projects", new { tenant, project = a1.Project }, AdminOnly(HttpStatusCode.Conflict));
        yield return new("GET /api/v1/admin/projects/{tenant}/{project}", HttpMethod.Get, project, null, AdminOnly(HttpStatusCode.OK));
        yield return new("PUT /api/v1/admin/projects/{tenant}/{project}/azure-deployments", HttpMethod.Put, project + "/azure-deployments", new Dictionary<string, string> { ["eu"] = "gpt-4o" }, AdminOnly(HttpStatusCode.OK));
        yield return new("POST /api/v1/admin/projects/{tenant}/{project}/keys", HttpMethod.Post, project + "/keys", new { name = "matrix" }, AdminOnly(HttpStatusCode.Created));
        yield return new("GET /api/v1/admin/projects/{tenant}/{project}/keys", HttpMethod.Get, project + "/keys", null, AdminOnly(HttpStatusCode.OK));
        yield return new("DELETE /api/v1/admin/projects/{tenant}/{project}/keys/{keyId}", HttpMethod.Delete, project + "/keys/000000000000", null, AdminOnly(HttpStatusCode.NotFound));
        yield return new("GET /api/v1/admin/tenants/{tenant}/price-overrides/", HttpMethod.Get, $"/api/v1/admin/tenants/{tenant}/price-overrides", null, AdminOnly(HttpStatusCode.OK));
        yield return new("PUT /api/v1/admin/tenants/{tenant}/price-overrides/", HttpMethod.Put, $"/api/v1/admin/tenants/{tenant}/price-overrides", new { discountPercent = 10 }, AdminOnly(HttpStatusCode.OK));
        yield return new("POST /api/v1/pipeline/runs/", HttpMethod.Post, "/api/v1/pipeline/runs", new { from = Pipelines.ClosedHour(2), to = Pipelines.ClosedHour(1) }, AdminOnly(HttpStatusCode.Accepted));
        yield return new("GET /api/v1/pipeline/runs/", HttpMethod.Get, "/api/v1/pipeline/runs", null, AdminOnly(HttpStatusCode.OK));
        yield return new("GET /api/v1/pipeline/runs/{id}", HttpMethod.Get, "/api/v1/pipeline/runs/hourly-2000010100", null, AdminOnly(HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task EveryEndpointAnswersEachSignedInPrincipalAsItsAppRoleAllowsAndUntrustedHeadersAsNoSignIn()
    {
        var world = await ArrangeAsync();
        var trusted = Settings();
        await using var local = await LocalApiHost.StartAsync(trusted.Select(s => $"--{s.Key}={s.Value}"));
        await using var signInOff = await FunctionsApiHost.StartAsync(cosmos, azurite, new Dictionary<string, string?>(trusted) { ["TokenTally:Auth:Entra:Enabled"] = "false" });
        await using var noSignal = await FunctionsApiHost.StartAsync(cosmos, azurite, new Dictionary<string, string?>(trusted) { [SignInTrust.AuthEnabledSetting] = null });
        var clients = new Dictionary<Principal, HttpClient> { [Principal.ForgedInLocalMode] = local.Client, [Principal.SignInOff] = signInOff.Client, [Principal.NoPlatformSignal] = noSignal.Client };
        var failures = new List<string>();

        foreach (var @case in Cases(world))
        {
            foreach (var (principal, (status, shows)) in @case.Expect)
            {
                var path = @case.Path(principal);
                using var request = new HttpRequestMessage(@case.Method, path).SignedInAs(world.A1.Tenant, AppRolesOf(principal));
                if (@case.Body is not null)
                {
                    request.Content = JsonContent.Create(@case.Body);
                }

                var response = await clients.GetValueOrDefault(principal, Client).SendAsync(request, TestContext.Current.CancellationToken);
                await EndpointMatrix.JudgeAsync(response, $"{@case.Method} {path} as {principal}", status, shows, failures);
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task EveryEndpointOfTheApiIsInTheRoleMatrix()
    {
        var covered = Cases(await ArrangeAsync()).Select(c => c.Template).ToHashSet();

        var missing = (await EndpointMatrix.RoutesAsync()).Where(e => !covered.Contains(e)).ToList();
        Assert.True(missing.Count == 0, "Endpoints without a row in the app-role matrix: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task LocalModeRemovesThePrincipalHeadersEvenWhereTheSignInSchemeWereAdded()
    {
        await using var local = await LocalApiHost.StartAsync(Settings().Select(s => $"--{s.Key}={s.Value}"), services => services.AddAppServiceSignIn());
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/admin/health").SignedInAs("acme", AppRoles.Admin);

        var response = await local.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task AnEntraTokenLeftInTheAuthorizationHeaderIsNotTakenForAKey()
    {
        var session = await NewSessionAsync("ingest");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/costs").SignedInAs(session.Tenant, AppRoles.Viewer);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.e30.signature");

        var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ATokenTallyKeyIsJudgedByItselfEvenBesideASignedInAdmin()
    {
        var session = await NewSessionAsync("ingest");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/admin/health").SignedInAs(session.Tenant, AppRoles.Admin);
        request.Headers.TryAddWithoutValidation("api-key", session.Key);

        var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task AMalformedPrincipalIsRefusedAndTheProblemSaysWhichHeader()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/costs");
        request.Headers.TryAddWithoutValidation(ClientPrincipal.Header, "not base64!");

        var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(ClientPrincipal.Header, (await response.ReadProblemAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AViewerOrEditorWithoutATenantMayDoNothingAndTheAnswerSaysWhy()
    {
        foreach (var role in new[] { AppRoles.Viewer, AppRoles.Editor })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/prices").SignedInAs(null, role);

            var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Contains("acts for no tenant", (await response.ReadProblemAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task APrincipalWithoutAnAppRoleIsToldWhichRolesThereAre()
    {
        var session = await NewSessionAsync("ingest");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/costs").SignedInAs(session.Tenant, "Some.Other.Role");

        var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains($"holds none of the app roles {AppRoles.Admin}, {AppRoles.Editor}, {AppRoles.Viewer}", (await response.ReadProblemAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEditorCannotNameAnotherTenant()
    {
        var mine = await NewSessionAsync("ingest");
        var theirs = await NewSessionAsync("ingest");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/channels?tenant={theirs.Tenant}").SignedInAs(mine.Tenant, AppRoles.Editor);
        request.Content = JsonContent.Create(Channel());

        var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(await (await theirs.SendAdminAsync(HttpMethod.Get, $"/api/v1/channels?tenant={theirs.Tenant}")).Content.ReadFromJsonAsync<JsonElement[]>(TestContext.Current.CancellationToken) ?? []);
    }

    [Fact]
    public async Task WithADefaultTenantEveryPrincipalActsForThatTenant()
    {
        await using var host = await FunctionsApiHost.StartAsync(cosmos, azurite, new Dictionary<string, string?>(Settings())
        {
            ["TokenTally:Auth:Entra:TenantClaim"] = null,
            ["TokenTally:Auth:Entra:DefaultTenant"] = "acme",
        });
        await ApiSession.CreateAsync(host, ["ingest"], tenant: "acme");
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/v1/budgets").SignedInAs("another-tenant", AppRoles.Editor);
        create.Content = JsonContent.Create(Budget(new { }));

        var created = await host.Client.SendAsync(create, TestContext.Current.CancellationToken);
        var budget = await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("acme", budget.GetProperty("tenant").GetString());
    }
}
