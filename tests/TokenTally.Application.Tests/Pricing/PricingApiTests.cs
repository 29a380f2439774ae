using System.Net;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Pricing;

/// <summary>Calls are priced at ingestion with the catalog, the project's Azure mapping and the tenant's overrides.</summary>
public abstract class PricingApiTests(Func<Task<IApiHost>> start) : ApiSpecification(start)
{
    [Fact]
    public async Task TheCatalogListsAtLeastFortyModelsWithEffectiveDatedPrices()
    {
        var session = await NewSessionAsync("ingest");

        var catalog = await session.GetJsonAsync("/api/v1/prices");
        var models = catalog.GetProperty("models").EnumerateArray().ToList();

        Assert.True(models.Count >= 40);
        Assert.Equal("USD", catalog.GetProperty("currency").GetString());
        Assert.True(new[] { "openai", "azure-openai", "anthropic", "google", "mistral", "meta" }.All(p => models.Any(m => m.GetProperty("provider").GetString() == p)));
        var gpt4o = models.Single(m => m.GetProperty("provider").GetString() == "openai" && m.GetProperty("id").GetString() == "gpt-4o");
        Assert.True(gpt4o.GetProperty("periods").GetArrayLength() >= 2);
    }

    [Fact]
    public async Task ACallIsBrokenDownByTokenClassWithThePriceVersionUsed()
    {
        var session = await NewSessionAsync();
        await session.PostEventsAsync(CallRecords.Batch(CallRecords.Record("why", model: "gpt-4o-2024-11-20", input: 1_000_000, output: 100_000, extra: ",\"cachedInputTokens\":400000,\"costUsd\":3.0")));

        var call = await session.GetCallAsync("why");
        var cost = call.GetProperty("cost");
        var lines = cost.GetProperty("lines").EnumerateArray().ToDictionary(l => l.GetProperty("tokenClass").GetString()!);

        // gpt-4o since 2024-10-02: input 2.50, cached 1.25, output 10.00 per 1M tokens.
        Assert.Equal(600_000, lines["input"].GetProperty("tokens").GetInt64());
        Assert.Equal(1.5m, lines["input"].GetProperty("costUsd").GetDecimal());
        Assert.Equal(0.5m, lines["cachedInput"].GetProperty("costUsd").GetDecimal());
        Assert.Equal(1.0m, lines["output"].GetProperty("costUsd").GetDecimal());
        Assert.Equal(3.0m, cost.GetProperty("totalUsd").GetDecimal());
        Assert.Contains("openai/gpt-4o@2024-10-02/standard", cost.GetProperty("priceVersion").GetString(), StringComparison.Ordinal);
        Assert.Equal(0m, call.GetProperty("clientCostDifferenceUsd").GetDecimal());
    }

    [Fact]
    public async Task ATenantDiscountAppliesToCallsIngestedAfterIt()
    {
        var session = await NewSessionAsync();
        await session.PostEventsAsync(CallRecords.Batch(CallRecords.Record("before", input: 1_000_000, output: 0)));
        var discount = await session.SendAdminAsync(HttpMethod.Put, $"/api/v1/admin/tenants/{session.Tenant}/price-overrides", new { discountPercent = 20 });
        Assert.Equal(HttpStatusCode.OK, discount.StatusCode);
        await session.PostEventsAsync(CallRecords.Batch(CallRecords.Record("after", input: 1_000_000, output: 0)));

        var before = (await session.GetCallAsync("before")).GetProperty("cost");
        var after = (await session.GetCallAsync("after")).GetProperty("cost");

        Assert.Equal(2.5m, before.GetProperty("totalUsd").GetDecimal());
        Assert.Equal(2.0m, after.GetProperty("totalUsd").GetDecimal());
        Assert.Contains("discount-20", after.GetProperty("priceVersion").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAzureDeploymentIsPricedAsTheModelTheProjectMapsItTo()
    {
        var session = await ApiSession.CreateAsync(Host, ["ingest", "read:project"], new Dictionary<string, string> { ["gpt4o-eu"] = "gpt-4o" });

        await session.PostEventsAsync(CallRecords.Batch(
            "{\"id\":\"az-1\",\"timestamp\":\"" + DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O") + "\",\"provider\":\"azure\",\"deployment\":\"gpt4o-eu\",\"deploymentType\":\"data-zone\",\"inputTokens\":1000,\"outputTokens\":100}",
            "{\"id\":\"az-2\",\"timestamp\":\"" + DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O") + "\",\"provider\":\"azure\",\"deployment\":\"unmapped\",\"inputTokens\":1000,\"outputTokens\":100}"));
        var mapped = await session.GetCallAsync("az-1");
        var unmapped = await session.GetCallAsync("az-2");

        Assert.Equal("azure-openai", mapped.GetProperty("canonicalProvider").GetString());
        Assert.Equal("gpt-4o", mapped.GetProperty("canonicalModel").GetString());
        Assert.False(mapped.GetProperty("unpriced").GetBoolean());
        Assert.True(unmapped.GetProperty("unpriced").GetBoolean());
        Assert.Contains("not mapped", unmapped.GetProperty("unpricedReason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OverridesForUnknownModelsOrNegativePricesAreRejected()
    {
        var session = await NewSessionAsync();
        var response = await session.SendAdminAsync(HttpMethod.Put, $"/api/v1/admin/tenants/{session.Tenant}/price-overrides",
            new { discountPercent = 120, models = new Dictionary<string, object> { ["gpt-9"] = new { input = 1, output = 1 }, ["gpt-4o"] = new { input = -1, output = 1 } } });
        var problem = await response.ReadProblemAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotEmpty(problem.FieldErrors("discountPercent"));
        Assert.NotEmpty(problem.FieldErrors("models.gpt-9"));
        Assert.NotEmpty(problem.FieldErrors("models.gpt-4o"));
    }
}

public sealed class PricingApiOnLocalMode() : PricingApiTests(ApiHosts.Local());

public sealed class PricingApiOnTheFunctionsApp(CosmosTestServerFixture cosmos, AzuriteFixture azurite) : PricingApiTests(ApiHosts.Functions(cosmos, azurite));
