using System.Net;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Alerts.Rules;

/// <summary>Alert rules are a resource of their tenant, like budgets: the admin key writes them, readers read them, every bad field is named.</summary>
public abstract class AlertRulesApiTests(Func<Task<IApiHost>> start) : ApiSpecification(start)
{
    [Fact]
    public async Task ARuleIsCreatedReadReplacedAndDeleted()
    {
        var session = await NewSessionAsync("read:tenant");
        var rules = $"/api/v1/alert-rules?tenant={session.Tenant}";
        var create = await SendAsync(HttpMethod.Post, rules, Host.AdminKey, new { name = "slow", metric = "p95_latency_ms", threshold = 4000, windowHours = 3, severity = "critical", scope = new { model = new[] { "gpt-4o" } } });
        var created = await ReadAsync(create, HttpStatusCode.Created);
        var location = create.Headers.Location!.ToString();

        Assert.Equal(("p95_latency_ms", 3, "critical", 20), (created.GetProperty("metric").GetString(), created.GetProperty("windowHours").GetInt32(), created.GetProperty("severity").GetString(), created.GetProperty("minCalls").GetInt32()));
        var listed = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/alert-rules", session.Key), HttpStatusCode.OK);
        Assert.Equal(created.GetProperty("id").GetString(), Assert.Single(listed.EnumerateArray()).GetProperty("id").GetString());

        var replaced = await ReadAsync(await SendAsync(HttpMethod.Put, location, Host.AdminKey, new { name = "slow", metric = "p95_latency_ms", threshold = 3000 }, ifMatch: create.Headers.ETag!.ToString()), HttpStatusCode.OK);
        var stale = await SendAsync(HttpMethod.Put, location, Host.AdminKey, new { name = "slow", metric = "calls", threshold = 1 }, ifMatch: create.Headers.ETag!.ToString());
        Assert.Equal(3000m, replaced.GetProperty("threshold").GetDecimal());
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);

        await ReadAsync(await SendAsync(HttpMethod.Delete, location, Host.AdminKey), HttpStatusCode.NoContent);
        await ReadAsync(await SendAsync(HttpMethod.Get, location, Host.AdminKey), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task EveryBadFieldIsNamedAndAnUnknownChannelIsRefused()
    {
        var session = await NewSessionAsync();
        var response = await SendAsync(HttpMethod.Post, $"/api/v1/alert-rules?tenant={session.Tenant}", Host.AdminKey,
            new { name = "x", metric = "spend", threshold = 0, windowHours = 500, channels = new[] { "nosuch" } });

        var problem = await response.ReadProblemAsync();
        var codes = problem.GetProperty("fieldErrors").EnumerateArray().ToDictionary(e => e.GetProperty("field").GetString()!, e => e.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("enum", codes["metric"]);
        Assert.Equal("range", codes["threshold"]);
        Assert.Equal("range", codes["windowHours"]);
        Assert.Equal("unknown", codes["channels[0]"]);
    }
}

public sealed class AlertRulesApiOnLocalMode() : AlertRulesApiTests(ApiHosts.Local());

public sealed class AlertRulesApiOnTheFunctionsApp(CosmosTestServerFixture cosmos, AzuriteFixture azurite) : AlertRulesApiTests(ApiHosts.Functions(cosmos, azurite));
