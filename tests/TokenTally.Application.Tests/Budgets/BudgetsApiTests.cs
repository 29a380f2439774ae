using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using TokenTally.Application.Alerts;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Core.Budgets;
using TokenTally.Storage.Documents;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Budgets;

/// <summary>
/// Budgets are a resource of their tenant: the admin key writes them, readers read them, every invalid field is named with
/// its code, and a write with a stale ETag is refused.
/// </summary>
public abstract class BudgetsApiTests(Func<Task<IApiHost>> start) : ApiSpecification(start)
{
    /// <summary>A valid budget: 1,000 USD a month in Berlin for <paramref name="project"/>, or for the whole tenant.</summary>
    private static JsonObject Budget(string? project = null, string name = "monthly")
    {
        var budget = new JsonObject
        {
            ["name"] = name,
            ["period"] = new JsonObject { ["kind"] = "month", ["timeZone"] = "Europe/Berlin" },
            ["amountUsd"] = 1000,
        };
        if (project is not null)
        {
            budget["scope"] = new JsonObject { ["project"] = new JsonArray(project) };
        }

        return budget;
    }

    private async Task<(JsonElement Budget, string Location, string ETag)> CreateAsync(ApiSession session, JsonObject budget)
    {
        var response = await SendAsync(HttpMethod.Post, $"/api/v1/budgets?tenant={session.Tenant}", Host.AdminKey, budget);
        var created = await ReadAsync(response, HttpStatusCode.Created);
        return (created, response.Headers.Location!.ToString(), response.Headers.ETag!.ToString());
    }

    /// <summary>The field errors of a validation problem as (field, code) pairs.</summary>
    private static async Task<IReadOnlyList<(string Field, string Code)>> FieldErrorsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadProblemAsync();
        var errors = problem.GetProperty("fieldErrors").EnumerateArray().Select(e => (e.GetProperty("field").GetString()!, e.GetProperty("code").GetString()!)).ToList();
        Assert.All(errors, e => Assert.NotEmpty(problem.FieldErrors(e.Item1)));
        return errors;
    }

    [Fact]
    public async Task ABudgetIsCreatedReadListedReplacedAndDeleted()
    {
        var session = await NewSessionAsync("read:tenant");
        var (created, location, etag) = await CreateAsync(session, Budget(session.Project));
        var id = created.GetProperty("id").GetString()!;

        Assert.Equal($"/api/v1/budgets/{id}?tenant={session.Tenant}", location);
        var read = await SendAsync(HttpMethod.Get, location, Host.AdminKey);
        Assert.Equal(created.ToString(), (await ReadAsync(read, HttpStatusCode.OK)).ToString());
        Assert.Equal(etag, read.Headers.ETag!.ToString());
        var listed = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/budgets", session.Key), HttpStatusCode.OK);
        Assert.Equal([id], listed.EnumerateArray().Select(b => b.GetProperty("id").GetString()));

        var changed = Budget(session.Project, name: "monthly, raised");
        changed["amountUsd"] = 1500.50m;
        var replace = await SendAsync(HttpMethod.Put, location, Host.AdminKey, changed, ifMatch: etag);
        var replaced = await ReadAsync(replace, HttpStatusCode.OK);
        Assert.Equal(1500.50m, replaced.GetProperty("amountUsd").GetDecimal());
        Assert.Equal("monthly, raised", replaced.GetProperty("name").GetString());
        Assert.Equal(created.GetProperty("createdAt").GetDateTimeOffset(), replaced.GetProperty("createdAt").GetDateTimeOffset());
        Assert.NotEqual(etag, replace.Headers.ETag!.ToString());
        Assert.Equal(1500.50m, (await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/budgets/{id}", session.Key), HttpStatusCode.OK)).GetProperty("amountUsd").GetDecimal());

        await ReadAsync(await SendAsync(HttpMethod.Delete, location, Host.AdminKey, ifMatch: replace.Headers.ETag!.ToString()), HttpStatusCode.NoContent);
        await ReadAsync(await SendAsync(HttpMethod.Get, location, Host.AdminKey), HttpStatusCode.NotFound);
        await ReadAsync(await SendAsync(HttpMethod.Delete, location, Host.AdminKey), HttpStatusCode.NotFound);
        Assert.Equal(0, (await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/budgets", session.Key), HttpStatusCode.OK)).GetArrayLength());
    }

    [Fact]
    public async Task ABudgetWithoutThresholdsAlertsAt50And80And100PercentAndShowsThePeriodUnderWay()
    {
        var session = await NewSessionAsync("read:tenant");

        var (budget, _, _) = await CreateAsync(session, Budget());

        Assert.Equal([50m, 80m, 100m], budget.GetProperty("thresholds").EnumerateArray().Select(t => t.GetDecimal()));
        Assert.Empty(budget.GetProperty("scope").EnumerateObject());
        Assert.Empty(budget.GetProperty("channels").EnumerateArray());
        Assert.False(budget.GetProperty("forecast").GetProperty("enabled").GetBoolean());
        var current = budget.GetProperty("period").GetProperty("current");
        var expected = BudgetPeriod.Recurring(BudgetPeriodKind.Month, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).Containing(budget.GetProperty("createdAt").GetDateTimeOffset())!;
        Assert.Equal(expected.Start, current.GetProperty("start").GetDateTimeOffset());
        Assert.Equal(expected.End, current.GetProperty("end").GetDateTimeOffset());
    }

    [Fact]
    public async Task AForecastRuleIsKeptAndSaysThereIsNoForecastYet()
    {
        var session = await NewSessionAsync("read:tenant");
        var request = Budget();
        request["forecast"] = new JsonObject { ["enabled"] = true };
        request["period"] = new JsonObject { ["kind"] = "fixed", ["timeZone"] = "America/New_York", ["from"] = "2020-01-01", ["to"] = "2020-04-01" };

        var (budget, location, _) = await CreateAsync(session, request);
        var read = await ReadAsync(await SendAsync(HttpMethod.Get, location, Host.AdminKey), HttpStatusCode.OK);

        Assert.True(read.GetProperty("forecast").GetProperty("enabled").GetBoolean());
        Assert.StartsWith("no forecast yet", read.GetProperty("forecast").GetProperty("status").GetString(), StringComparison.Ordinal);
        Assert.Equal("2020-01-01", budget.GetProperty("period").GetProperty("from").GetString());
        Assert.False(budget.GetProperty("period").TryGetProperty("current", out _)); // a range long past is not under way
    }

    [Fact]
    public async Task AWriteWithAnOutdatedETagIsRefusedWith412AndChangesNothing()
    {
        var session = await NewSessionAsync("read:tenant");
        var (_, location, first) = await CreateAsync(session, Budget());
        var second = (await SendAsync(HttpMethod.Put, location, Host.AdminKey, Budget(name: "second"), ifMatch: first)).Headers.ETag!.ToString();

        var stalePut = await SendAsync(HttpMethod.Put, location, Host.AdminKey, Budget(name: "third"), ifMatch: first);
        var staleDelete = await SendAsync(HttpMethod.Delete, location, Host.AdminKey, ifMatch: first);
        var foreign = await SendAsync(HttpMethod.Put, location, Host.AdminKey, Budget(name: "fourth"), ifMatch: "\"not-one-of-ours\"");

        Assert.Equal(HttpStatusCode.PreconditionFailed, stalePut.StatusCode);
        Assert.Contains("If-Match", (await stalePut.ReadProblemAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.PreconditionFailed, staleDelete.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, foreign.StatusCode);
        var current = await SendAsync(HttpMethod.Get, location, Host.AdminKey);
        Assert.Equal("second", (await ReadAsync(current, HttpStatusCode.OK)).GetProperty("name").GetString());
        Assert.Equal(second, current.Headers.ETag!.ToString());
        await ReadAsync(await SendAsync(HttpMethod.Delete, location, Host.AdminKey, ifMatch: second), HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task EachInvalidFieldIsA400ThatNamesTheFieldAndItsCode()
    {
        var session = await NewSessionAsync("read:tenant");
        var cases = new (string What, Action<JsonObject> Change, (string, string) Error)[]
        {
            ("unknown dimension", b => b["scope"] = new JsonObject { ["team"] = new JsonArray("x") }, ("scope.team", "unknown")),
            ("negative amount", b => b["amountUsd"] = -5, ("amountUsd", "range")),
            ("unsorted thresholds", b => b["thresholds"] = new JsonArray(80, 50), ("thresholds", "order")),
            ("duplicate thresholds", b => b["thresholds"] = new JsonArray(50, 50, 100), ("thresholds", "duplicate")),
            ("unknown channel", b => b["channels"] = new JsonArray("nobody-listens"), ("channels[0]", "unknown")),
            ("bad zone", b => b["period"] = new JsonObject { ["kind"] = "month", ["timeZone"] = "Europe/Atlantis" }, ("period.timeZone", "unknown")),
            ("unknown period", b => b["period"] = new JsonObject { ["kind"] = "fortnight" }, ("period.kind", "enum")),
            ("dimensions no rollup holds together", b => b["scope"] = new JsonObject { ["user"] = new JsonArray("u-7"), ["model"] = new JsonArray("gpt-4o") }, ("scope", "combination")),
            ("fixed range ending before it starts", b => b["period"] = new JsonObject { ["kind"] = "fixed", ["from"] = "2026-12-01", ["to"] = "2026-11-01" }, ("period.to", "range")),
        };

        foreach (var (what, change, error) in cases)
        {
            var body = Budget();
            change(body);
            var response = await SendAsync(HttpMethod.Post, $"/api/v1/budgets?tenant={session.Tenant}", Host.AdminKey, body);
            var errors = await FieldErrorsAsync(response);
            Assert.True(errors.SequenceEqual([error]), $"{what}: {string.Join(", ", errors)}");
        }

        Assert.Equal(0, (await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/budgets", session.Key), HttpStatusCode.OK)).GetArrayLength());
    }

    [Fact]
    public async Task AReplacementIsValidatedAsACreationIs()
    {
        var session = await NewSessionAsync("read:tenant");
        var (_, location, etag) = await CreateAsync(session, Budget());
        var invalid = Budget();
        invalid["thresholds"] = new JsonArray(100, 80);

        var response = await SendAsync(HttpMethod.Put, location, Host.AdminKey, invalid, ifMatch: etag);

        Assert.Equal([("thresholds", "order")], await FieldErrorsAsync(response));
    }

    [Fact]
    public async Task AFieldTheBudgetDoesNotHaveIsNamedNotIgnored()
    {
        var session = await NewSessionAsync("read:tenant");
        var body = Budget();
        body["amount"] = 10;

        var response = await SendAsync(HttpMethod.Post, $"/api/v1/budgets?tenant={session.Tenant}", Host.AdminKey, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotEmpty((await response.ReadProblemAsync()).FieldErrors("amount"));
    }

    [Fact]
    public async Task AChannelOfTheTenantIsAcceptedAndOneOfAnotherTenantIsUnknown()
    {
        var session = await NewSessionAsync("read:tenant");
        var other = await NewSessionAsync("read:tenant");
        var store = Host.Services.GetRequiredService<IDocumentStore>();
        await store.UpsertAsync(DocumentContainer.Config, new DocumentWrite(session.Tenant, ConfigChannelDirectory.DocumentId("ops-teams"), new JsonObject { ["kind"] = "teams" }), WriteCondition.None, TestContext.Current.CancellationToken);
        var body = Budget();
        body["channels"] = new JsonArray("ops-teams");

        var (budget, _, _) = await CreateAsync(session, body);
        var elsewhere = await SendAsync(HttpMethod.Post, $"/api/v1/budgets?tenant={other.Tenant}", Host.AdminKey, body);

        Assert.Equal(["ops-teams"], budget.GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal([("channels[0]", "unknown")], await FieldErrorsAsync(elsewhere));
    }

    [Fact]
    public async Task ATenantReaderSeesEveryBudgetOfItsTenantAndAProjectReaderOnlyThoseOfItsProject()
    {
        var session = await NewSessionAsync("read:tenant");
        var projectReader = await session.KeyWithAsync("read:project");
        var (mine, _, _) = await CreateAsync(session, Budget(session.Project, "mine"));
        var (tenantWide, _, _) = await CreateAsync(session, Budget(name: "tenant"));
        var sharedBody = Budget(name: "shared");
        sharedBody["scope"] = new JsonObject { ["project"] = new JsonArray(session.Project, "another") };
        var (shared, _, _) = await CreateAsync(session, sharedBody);

        var byTenantReader = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/budgets", session.Key), HttpStatusCode.OK);
        var byProjectReader = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/budgets?tenant={session.Tenant}", projectReader), HttpStatusCode.OK);

        Assert.Equal(["mine", "shared", "tenant"], byTenantReader.EnumerateArray().Select(b => b.GetProperty("name").GetString()));
        Assert.Equal(["mine"], byProjectReader.EnumerateArray().Select(b => b.GetProperty("name").GetString()));
        await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/budgets/{mine.GetProperty("id")}", projectReader), HttpStatusCode.OK);
        await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/budgets/{tenantWide.GetProperty("id")}", projectReader), HttpStatusCode.NotFound);
        await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/budgets/{shared.GetProperty("id")}", projectReader), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task OnlyTheAdminKeyWritesAndAKeyReadsNoOtherTenant()
    {
        var session = await NewSessionAsync("read:tenant");
        var other = await NewSessionAsync("read:tenant");
        var ingestOnly = await session.KeyWithAsync("ingest");
        await CreateAsync(session, Budget());

        var byReader = await SendAsync(HttpMethod.Post, "/api/v1/budgets", session.Key, Budget());
        var byIngest = await SendAsync(HttpMethod.Get, "/api/v1/budgets", ingestOnly);
        var intoOtherTenant = await SendAsync(HttpMethod.Get, $"/api/v1/budgets?tenant={session.Tenant}", other.Key);
        var otherOwn = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/budgets", other.Key), HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.Forbidden, byReader.StatusCode);
        Assert.Contains("admin key", (await byReader.ReadProblemAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, byIngest.StatusCode);
        Assert.Contains("read:tenant", (await byIngest.ReadProblemAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, intoOtherTenant.StatusCode);
        Assert.Equal(0, otherOwn.GetArrayLength());
    }

    [Fact]
    public async Task TheAdminKeyNamesAnExistingTenant()
    {
        var withoutTenant = await SendAsync(HttpMethod.Get, "/api/v1/budgets", Host.AdminKey);
        var unknownTenant = await SendAsync(HttpMethod.Post, "/api/v1/budgets?tenant=no-such-tenant", Host.AdminKey, Budget());
        var unknownParameter = await SendAsync(HttpMethod.Get, "/api/v1/budgets?tenant=x1&project=y", Host.AdminKey);

        Assert.NotEmpty((await withoutTenant.ReadProblemAsync()).FieldErrors("tenant"));
        Assert.Equal(HttpStatusCode.NotFound, unknownTenant.StatusCode);
        Assert.NotEmpty((await unknownParameter.ReadProblemAsync()).FieldErrors("project"));
    }
}

public sealed class BudgetsApiOnLocalMode() : BudgetsApiTests(ApiHosts.Local());

public sealed class BudgetsApiOnTheFunctionsApp(CosmosTestServerFixture cosmos, AzuriteFixture azurite) : BudgetsApiTests(ApiHosts.Functions(cosmos, azurite));
