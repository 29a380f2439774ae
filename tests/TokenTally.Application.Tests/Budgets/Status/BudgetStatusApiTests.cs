using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Budgets.Status;

/// <summary>
/// The cost circuit breaker: an app asks whether its scope may still spend, and the answer counts every call ingested so
/// far — rolled up or not — against every budget covering the scope, with what is left and the projection.
/// </summary>
public abstract class BudgetStatusApiTests(Func<Task<IApiHost>> start) : ApiSpecification(start)
{
    public const string MaxAge = "1";

    // gpt-4o: 2.50 USD per 1M input tokens, so each of these calls costs exactly 2.50 USD.
    private static string Call(string id, DateTimeOffset at, string model = "gpt-4o") => CallRecords.Record(id, at, model: model, input: 1_000_000, output: 0);

    /// <summary>A fixed two-week range around today, so no month or week boundary falls between the test's calls.</summary>
    private static JsonObject Budget(string name, decimal amount, JsonObject? scope = null)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        return new JsonObject
        {
            ["name"] = name,
            ["period"] = new JsonObject { ["kind"] = "fixed", ["from"] = Date(today.AddDays(-7)), ["to"] = Date(today.AddDays(7)) },
            ["amountUsd"] = amount,
            ["scope"] = scope ?? [],
        };
    }

    private static string Date(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private async Task<string> CreateBudgetAsync(ApiSession session, JsonObject budget) =>
        (await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/budgets?tenant={session.Tenant}", Host.AdminKey, budget), HttpStatusCode.Created)).GetProperty("id").GetString()!;

    private static async Task PostAsync(ApiSession session, string batch)
    {
        var response = await session.PostEventsAsync(batch);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static Dictionary<string, JsonElement> ByName(JsonElement status) =>
        status.GetProperty("budgets").EnumerateArray().ToDictionary(b => b.GetProperty("name").GetString()!);

    [Fact]
    public async Task AnAppSeesItsSpendAgainstEveryBudgetCoveringItBeforeAndAfterTheHourIsRolledUp()
    {
        var session = await NewSessionAsync("ingest");
        var neighbour = await ApiSession.CreateAsync(Host, ["ingest"], tenant: session.Tenant);
        await CreateBudgetAsync(session, Budget("tenant", 20m));
        await CreateBudgetAsync(session, Budget("project", 5m, new JsonObject { ["project"] = new JsonArray(session.Project) }));
        await CreateBudgetAsync(session, Budget("neighbour", 5m, new JsonObject { ["project"] = new JsonArray(neighbour.Project) }));
        await CreateBudgetAsync(session, Budget("mini", 1m, new JsonObject { ["model"] = new JsonArray("gpt-4o-mini") }));

        var closed = Pipelines.ClosedHour(3).AddMinutes(10);
        var now = DateTimeOffset.UtcNow;
        await PostAsync(session, CallRecords.Batch(Call("a", closed), Call("b", closed), Call("c", now)));
        await PostAsync(neighbour, CallRecords.Batch(Call("n", closed)));

        // Nothing is rolled up yet: the ledger's calls are counted all the same.
        var before = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/budgets/status", session.Key), HttpStatusCode.OK);
        AssertStanding(before, session.Project, "run-rate");

        await Host.RunUntilCaughtUpAsync();
        var after = await FreshStatusAsync(session, computedAfter: DateTimeOffset.UtcNow);
        // The hour run also forecast the budgets' scopes: the projection is the forecast's now.
        AssertStanding(after, session.Project, "forecast");
    }

    private static void AssertStanding(JsonElement status, string project, string method)
    {
        var budgets = ByName(status);
        Assert.Equal(["project", "tenant"], budgets.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(project, status.GetProperty("scope").GetProperty("project").GetString());
        Assert.False(status.GetProperty("withinBudget").GetBoolean());
        Assert.Equal(0m, status.GetProperty("remainingUsd").GetDecimal());

        var tenant = budgets["tenant"];
        Assert.Equal(10m, tenant.GetProperty("spentUsd").GetDecimal());
        Assert.Equal(10m, tenant.GetProperty("remainingUsd").GetDecimal());
        Assert.Equal(50m, tenant.GetProperty("percentUsed").GetDecimal());
        Assert.Equal("warning", tenant.GetProperty("state").GetString());
        Assert.Equal([50m], tenant.GetProperty("crossedThresholds").EnumerateArray().Select(t => t.GetDecimal()));

        var own = budgets["project"];
        Assert.Equal(7.5m, own.GetProperty("spentUsd").GetDecimal());
        Assert.Equal(0m, own.GetProperty("remainingUsd").GetDecimal());
        Assert.Equal("exceeded", own.GetProperty("state").GetString());
        var projection = own.GetProperty("projection");
        Assert.Equal(method, projection.GetProperty("method").GetString());
        Assert.True(projection.GetProperty("spendUsd").GetDecimal() >= 7.5m);
        Assert.True(projection.GetProperty("exceedsAmount").GetBoolean());
    }

    /// <summary>The status once the cache holds an answer computed after <paramref name="computedAfter"/>.</summary>
    private async Task<JsonElement> FreshStatusAsync(ApiSession session, DateTimeOffset computedAfter)
    {
        JsonElement status = default;
        await Eventually.HoldsAsync(
            async () =>
            {
                status = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/budgets/status", session.Key), HttpStatusCode.OK);
                return status.GetProperty("asOf").GetDateTimeOffset() >= computedAfter;
            },
            TimeSpan.FromSeconds(15),
            () => $"The status was never recomputed after {computedAfter:O}: {status}");
        return status;
    }

    [Fact]
    public async Task AScopeNamingAModelAlsoMeetsTheBudgetsOfThatModel()
    {
        var session = await NewSessionAsync("ingest", "read:tenant");
        await CreateBudgetAsync(session, Budget("mini", 1m, new JsonObject { ["model"] = new JsonArray("gpt-4o-mini") }));
        await PostAsync(session, CallRecords.Batch(Call("m", DateTimeOffset.UtcNow, model: "gpt-4o-mini"), Call("g", DateTimeOffset.UtcNow)));

        var unscoped = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/budgets/status", session.Key), HttpStatusCode.OK);
        var mini = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/budgets/status?model=gpt-4o-mini", session.Key), HttpStatusCode.OK);

        Assert.Equal(0, unscoped.GetProperty("budgets").GetArrayLength());
        Assert.True(unscoped.GetProperty("withinBudget").GetBoolean());
        Assert.False(unscoped.TryGetProperty("remainingUsd", out _));
        var budget = ByName(mini)["mini"];

        // gpt-4o-mini: 0.15 USD per 1M input tokens.
        Assert.Equal(0.15m, budget.GetProperty("spentUsd").GetDecimal());
        Assert.Equal(0.85m, mini.GetProperty("remainingUsd").GetDecimal());
        Assert.Equal("gpt-4o-mini", mini.GetProperty("scope").GetProperty("model").GetString());
    }

    [Fact]
    public async Task KeysConfinedToAProjectCheckOnlyTheirOwnAndBadScopesAreNamed()
    {
        var session = await NewSessionAsync("ingest");
        var reader = await session.KeyWithAsync("read:tenant");
        var other = await ApiSession.CreateAsync(Host, ["ingest"], tenant: session.Tenant);

        var intoOther = await SendAsync(HttpMethod.Get, $"/api/v1/budgets/status?project={other.Project}", session.Key);
        var byReader = await SendAsync(HttpMethod.Get, $"/api/v1/budgets/status?project={other.Project}", reader);
        var twice = await SendAsync(HttpMethod.Get, "/api/v1/budgets/status?model=a&model=b", session.Key);
        var empty = await SendAsync(HttpMethod.Get, "/api/v1/budgets/status?service=", session.Key);
        var unknown = await SendAsync(HttpMethod.Get, "/api/v1/budgets/status?release=1", session.Key);
        var adminWithoutTenant = await SendAsync(HttpMethod.Get, "/api/v1/budgets/status", Host.AdminKey);
        var admin = await SendAsync(HttpMethod.Get, $"/api/v1/budgets/status?tenant={session.Tenant}&project={other.Project}", Host.AdminKey);

        Assert.Equal(HttpStatusCode.Forbidden, intoOther.StatusCode);
        Assert.Equal(other.Project, (await ReadAsync(byReader, HttpStatusCode.OK)).GetProperty("scope").GetProperty("project").GetString());
        Assert.NotEmpty((await twice.ReadProblemAsync()).FieldErrors("model"));
        Assert.NotEmpty((await empty.ReadProblemAsync()).FieldErrors("service"));
        Assert.NotEmpty((await unknown.ReadProblemAsync()).FieldErrors("release"));
        Assert.NotEmpty((await adminWithoutTenant.ReadProblemAsync()).FieldErrors("tenant"));
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.True(admin.Headers.CacheControl!.Private);
        Assert.Equal(TimeSpan.FromSeconds(int.Parse(MaxAge, CultureInfo.InvariantCulture)), admin.Headers.CacheControl.MaxAge);
    }
}

public sealed class BudgetStatusApiOnLocalMode() : BudgetStatusApiTests(ApiHosts.Local("--TokenTally:Budgets:Status:MaxAgeSeconds=" + MaxAge));

public sealed class BudgetStatusApiOnTheFunctionsApp(CosmosTestServerFixture cosmos, AzuriteFixture azurite)
    : BudgetStatusApiTests(ApiHosts.Functions(cosmos, azurite, new Dictionary<string, string?> { ["TokenTally:Budgets:Status:MaxAgeSeconds"] = MaxAge }));
