using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TokenTally.Functions.Pipeline;
using TokenTally.Functions.Tests.Infrastructure;

namespace TokenTally.Functions.Tests;

/// <summary>The cost API answers from rollups: grouping, filters, time zones, CSV, summary and top users.</summary>
public sealed class CostsApiTests : ServerTests
{
    private static DateTimeOffset ClosedHour(int hoursAgo)
    {
        var now = DateTimeOffset.UtcNow;
        return new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(-hoursAgo);
    }

    private async Task<ApiSession> SeedAsync()
    {
        var session = await ApiSession.CreateAsync(Server, Client);
        var records = new List<string>();
        for (var h = 1; h <= 3; h++)
        {
            for (var i = 0; i < 40; i++)
            {
                var model = i % 2 == 0 ? "gpt-4o" : "gpt-4o-mini";
                records.Add(Calls.Record($"c-{h}-{i}", ClosedHour(h).AddMinutes(i), model: model, input: 10_000, output: 1_000,
                    extra: $",\"userId\":\"u-{i % 4}\",\"department\":\"{(i % 4 < 2 ? "support" : "sales")}\",\"latencyMs\":{200 + i * 10}"));
            }
        }

        Assert.Equal(HttpStatusCode.OK, (await session.PostEventsAsync(Calls.Batch(records.ToArray()))).StatusCode);
        var rollup = Server.Services.GetRequiredService<RollupStep>();
        for (var h = 1; h <= 3; h++)
        {
            await rollup.RollUpAsync(session.Tenant, ClosedHour(h), TestContext.Current.CancellationToken);
        }

        return session;
    }

    private async Task<HttpResponseMessage> GetAsync(ApiSession session, string path, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("api-key", session.Key);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        return await Client.SendAsync(request);
    }

    private static string Range() => $"from={Uri.EscapeDataString(ClosedHour(3).ToString("O"))}&to={Uri.EscapeDataString(ClosedHour(0).ToString("O"))}";

    [Fact]
    public async Task CostsGroupedByModelAddUpToTheTotalAndCarryLatencyPercentiles()
    {
        var session = await SeedAsync();

        var report = await (await GetAsync(session, $"/api/v1/costs?{Range()}&granularity=hour&groupBy=model")).Content.ReadFromJsonAsync<JsonElement>();
        var series = report.GetProperty("series").EnumerateArray().ToList();

        Assert.Equal(["gpt-4o", "gpt-4o-mini"], series.Select(s => s.GetProperty("key").GetProperty("model").GetString()).Order());
        Assert.All(series, s => Assert.Equal(3, s.GetProperty("points").GetArrayLength()));
        Assert.Equal(report.GetProperty("total").GetProperty("costUsd").GetDecimal(), series.Sum(s => s.GetProperty("total").GetProperty("costUsd").GetDecimal()));
        Assert.Equal(120, report.GetProperty("total").GetProperty("calls").GetInt64());
        var p95 = report.GetProperty("total").GetProperty("latencyMs").GetProperty("p95").GetDouble();
        Assert.InRange(p95, 570 * 0.99, 580 * 1.01);
    }

    [Fact]
    public async Task FiltersAndTwoDimensionGroupingUseTheUserCube()
    {
        var session = await SeedAsync();

        var report = await (await GetAsync(session, $"/api/v1/costs?{Range()}&groupBy=department,user&department=support")).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("users", report.GetProperty("cube").GetString());
        Assert.Equal(["u-0", "u-1"], report.GetProperty("series").EnumerateArray().Select(s => s.GetProperty("key").GetProperty("user").GetString()).Order());
        Assert.Equal(60, report.GetProperty("total").GetProperty("calls").GetInt64());
    }

    [Fact]
    public async Task DailyBucketsFollowTheRequestedTimeZone()
    {
        var session = await SeedAsync();

        var report = await (await GetAsync(session, $"/api/v1/costs?{Range()}&granularity=day&tz=Asia/Kolkata")).Content.ReadFromJsonAsync<JsonElement>();
        var starts = report.GetProperty("series")[0].GetProperty("points").EnumerateArray().Select(p => DateTimeOffset.Parse(p.GetProperty("start").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();

        Assert.All(starts, s => Assert.Equal(TimeSpan.FromHours(5.5), s.Offset));
        Assert.All(starts, s => Assert.Equal(TimeSpan.Zero, s.TimeOfDay));
    }

    [Fact]
    public async Task UtcDailyTotalsFromDayRowsEqualTheHourlyTotals()
    {
        var session = await SeedAsync();
        var from = new DateTimeOffset(ClosedHour(3).UtcDateTime.Date, TimeSpan.Zero).AddDays(-1);
        var to = from.AddDays(3);
        var range = $"from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}";

        var daily = await (await GetAsync(session, $"/api/v1/costs?{range}&granularity=day&groupBy=model")).Content.ReadFromJsonAsync<JsonElement>();
        var hourly = await (await GetAsync(session, $"/api/v1/costs?{range}&granularity=hour&groupBy=model")).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(hourly.GetProperty("total").GetProperty("costUsd").GetDecimal(), daily.GetProperty("total").GetProperty("costUsd").GetDecimal());
        Assert.Equal(120, daily.GetProperty("total").GetProperty("calls").GetInt64());
        Assert.Equal(hourly.GetProperty("total").GetProperty("latencyMs").GetProperty("p95").GetDouble(), daily.GetProperty("total").GetProperty("latencyMs").GetProperty("p95").GetDouble());
    }

    [Fact]
    public async Task CsvIsReturnedWhenAskedFor()
    {
        var session = await SeedAsync();

        var response = await GetAsync(session, $"/api/v1/costs?{Range()}&granularity=hour&groupBy=model", "text/csv");
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("start,model,calls,errors,cost_usd", lines[0], StringComparison.Ordinal);
        Assert.Equal(1 + 6, lines.Length);
    }

    [Fact]
    public async Task TheSummaryAndTopUsersAnswer()
    {
        var session = await SeedAsync();

        var summary = await (await GetAsync(session, "/api/v1/costs/summary?tz=Europe/Berlin")).Content.ReadFromJsonAsync<JsonElement>();
        var top = await (await GetAsync(session, $"/api/v1/usage/top?dimension=user&n=2&{Range()}")).Content.ReadFromJsonAsync<JsonElement>();

        Assert.True(summary.GetProperty("monthToDate").GetProperty("costUsd").GetDecimal() > 0);
        Assert.Contains(summary.GetProperty("biggestMovers").EnumerateArray(), m => m.GetProperty("model").GetString() == "gpt-4o");
        Assert.Equal(2, top.GetArrayLength());
        Assert.True(top[0].GetProperty("costUsd").GetDecimal() >= top[1].GetProperty("costUsd").GetDecimal());
    }

    [Theory]
    [InlineData("granularity=fortnight", "granularity")]
    [InlineData("groupBy=model,user,department", "groupBy")]
    [InlineData("groupBy=colour", "groupBy")]
    [InlineData("groupBy=user,model", "groupBy")]
    [InlineData("tz=Mars/Olympus", "tz")]
    [InlineData("from=yesterday", "from")]
    public async Task ABadQueryNamesTheParameter(string query, string field)
    {
        var session = await ApiSession.CreateAsync(Server, Client);

        var response = await GetAsync(session, "/api/v1/costs?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotEmpty((await response.ReadProblemAsync()).FieldErrors(field));
    }

    [Fact]
    public async Task AnotherTenantsCostsAreInvisible()
    {
        var theirs = await SeedAsync();
        var mine = await ApiSession.CreateAsync(Server, Client);

        var report = await (await GetAsync(mine, $"/api/v1/costs?{Range()}")).Content.ReadFromJsonAsync<JsonElement>();

        Assert.NotEqual(theirs.Tenant, mine.Tenant);
        Assert.Equal(0, report.GetProperty("total").GetProperty("calls").GetInt64());
    }
}
