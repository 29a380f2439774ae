using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Forecasts;

/// <summary>
/// Forecasts through the API: after an hour run, the tenant's total and each budget's scope have a forecast with intervals
/// and the model's backtest accuracy; each key reads the series it may, and budgets and their status use the projection.
/// </summary>
public abstract class ForecastsApiTests(Func<Task<IApiHost>> start) : ApiSpecification(start)
{
    private static JsonObject MonthlyBudget(string name, JsonObject scope) => new()
    {
        ["name"] = name,
        ["period"] = new JsonObject { ["kind"] = "month" },
        ["amountUsd"] = 1000m,
        ["scope"] = scope,
        ["forecast"] = new JsonObject { ["enabled"] = true },
    };

    private async Task<string> CreateBudgetAsync(ApiSession session, JsonObject budget) =>
        (await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/budgets?tenant={session.Tenant}", Host.AdminKey, budget), HttpStatusCode.Created)).GetProperty("id").GetString()!;

    [Fact]
    public async Task AfterAnHourRunEachSeriesHasItsForecastWithIntervalsAndEachKeyReadsOnlyWhatItMay()
    {
        var session = await NewSessionAsync("ingest", "read:project");
        var reader = await session.KeyWithAsync("read:tenant");
        var own = await CreateBudgetAsync(session, MonthlyBudget("project", new JsonObject { ["project"] = new JsonArray(session.Project) }));
        var wide = await CreateBudgetAsync(session, MonthlyBudget("tenant", []));
        var calls = Enumerable.Range(1, 6).SelectMany(h => new[] { CallRecords.Record($"c{h}a", Pipelines.ClosedHour(h).AddMinutes(10)), CallRecords.Record($"c{h}b", Pipelines.ClosedHour(h).AddMinutes(20)) });
        var posted = await session.PostEventsAsync(CallRecords.Batch([.. calls]));
        Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync());

        await Host.RunUntilCaughtUpAsync();

        var all = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/forecasts", reader), HttpStatusCode.OK);
        Assert.Equal(new[] { "budget:" + own, "budget:" + wide, "tenant" }.Order(StringComparer.Ordinal), all.EnumerateArray().Select(f => f.GetProperty("series").GetString()).Order(StringComparer.Ordinal));
        foreach (var forecast in all.EnumerateArray())
        {
            AssertForecastWithIntervals(forecast);
        }

        var byProjectKey = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/forecasts", session.Key), HttpStatusCode.OK);
        var oneSeries = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/forecasts?tenant={session.Tenant}&series=budget:{wide}", Host.AdminKey), HttpStatusCode.OK);
        var totalForProjectKey = await SendAsync(HttpMethod.Get, "/api/v1/forecasts?series=tenant", session.Key);
        var badSeries = await SendAsync(HttpMethod.Get, "/api/v1/forecasts?series=project", reader);
        var adminWithoutTenant = await SendAsync(HttpMethod.Get, "/api/v1/forecasts", Host.AdminKey);

        Assert.Equal(["budget:" + own], byProjectKey.EnumerateArray().Select(f => f.GetProperty("series").GetString()));
        Assert.Equal(session.Project, byProjectKey[0].GetProperty("scope").GetProperty("project")[0].GetString());
        Assert.Equal("budget:" + wide, Assert.Single(oneSeries.EnumerateArray()).GetProperty("series").GetString());
        Assert.Equal(HttpStatusCode.NotFound, totalForProjectKey.StatusCode);
        Assert.NotEmpty((await badSeries.ReadProblemAsync()).FieldErrors("series"));
        Assert.NotEmpty((await adminWithoutTenant.ReadProblemAsync()).FieldErrors("tenant"));

        // The budget's forecast rule and the status an app checks both use the stored projection now.
        var budget = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/budgets/{own}", reader), HttpStatusCode.OK);
        Assert.StartsWith("projected within the amount", budget.GetProperty("forecast").GetProperty("status").GetString(), StringComparison.Ordinal);
        var status = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/budgets/status", session.Key), HttpStatusCode.OK);
        Assert.All(status.GetProperty("budgets").EnumerateArray(), b =>
        {
            var projection = b.GetProperty("projection");
            Assert.Equal("forecast", projection.GetProperty("method").GetString());
            Assert.InRange(projection.GetProperty("spendUsd").GetDecimal(), projection.GetProperty("lowUsd").GetDecimal(), projection.GetProperty("highUsd").GetDecimal());
            Assert.True(projection.GetProperty("spendUsd").GetDecimal() >= b.GetProperty("spentUsd").GetDecimal());
        });
    }

    private static void AssertForecastWithIntervals(JsonElement forecast)
    {
        var hourly = forecast.GetProperty("hourly").EnumerateArray().ToList();
        Assert.Equal(48, hourly.Count);
        Assert.Equal(forecast.GetProperty("asOfHour").GetDateTimeOffset().AddHours(1), hourly[0].GetProperty("start").GetDateTimeOffset());
        Assert.All(hourly, AssertOrderedBounds);
        Assert.All(forecast.GetProperty("daily").EnumerateArray(), AssertOrderedBounds);
        var end = forecast.GetProperty("periodEnd");
        AssertOrderedBounds(end);
        Assert.True(end.GetProperty("valueUsd").GetDouble() >= end.GetProperty("observedUsd").GetDouble());
        Assert.True(end.GetProperty("start").GetDateTimeOffset() < end.GetProperty("end").GetDateTimeOffset());
        Assert.True(forecast.GetProperty("historyHours").GetInt32() >= 24);
        var backtest = forecast.GetProperty("backtest");
        Assert.Equal(48, backtest.GetProperty("horizonHours").GetInt32() is 0 ? 48 : backtest.GetProperty("horizonHours").GetInt32());
        Assert.True(backtest.GetProperty("origins").GetInt32() >= 0);
        Assert.False(string.IsNullOrEmpty(forecast.GetProperty("model").GetString()));
    }

    private static void AssertOrderedBounds(JsonElement point)
    {
        double Read(string name) => point.GetProperty(name).GetDouble();
        Assert.True(
            Read("lower95Usd") <= Read("lower80Usd") && Read("lower80Usd") <= Read("valueUsd") && Read("valueUsd") <= Read("upper80Usd") && Read("upper80Usd") <= Read("upper95Usd") && Read("lower95Usd") >= 0,
            $"Bounds out of order: {point}");
    }
}

public sealed class ForecastsApiOnLocalMode() : ForecastsApiTests(ApiHosts.Local());

public sealed class ForecastsApiOnTheFunctionsApp(CosmosTestServerFixture cosmos, AzuriteFixture azurite) : ForecastsApiTests(ApiHosts.Functions(cosmos, azurite));
