using System.Globalization;
using System.Net;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Core.Rollups;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Costs;

/// <summary>The cost API answers from rollups: grouping, filters, time zones, CSV, summary and top users.</summary>
public abstract class CostsApiTests(Func<Task<IApiHost>> start) : ApiSpecification(start)
{
    private async Task<ApiSession> SeedAsync()
    {
        var session = await NewSessionAsync();
        var records = new List<string>();
        for (var h = 1; h <= 3; h++)
        {
            for (var i = 0; i < 40; i++)
            {
                var model = i % 2 == 0 ? "gpt-4o" : "gpt-4o-mini";
                records.Add(CallRecords.Record($"c-{h}-{i}", Pipelines.ClosedHour(h).AddMinutes(i), model: model, input: 10_000, output: 1_000,
                    extra: $",\"userId\":\"u-{i % 4}\",\"department\":\"{(i % 4 < 2 ? "support" : "sales")}\",\"latencyMs\":{200 + (i * 10)}"));
            }
        }

        Assert.Equal(HttpStatusCode.OK, (await session.PostEventsAsync(CallRecords.Batch(records.ToArray()))).StatusCode);
        await Host.RunHourAsync();
        return session;
    }

    private static string Range() => $"from={Uri.EscapeDataString(Pipelines.ClosedHour(3).ToString("O"))}&to={Uri.EscapeDataString(Pipelines.ClosedHour(0).ToString("O"))}";

    [Fact]
    public async Task CostsGroupedByModelAddUpToTheTotalAndCarryLatencyPercentiles()
    {
        var session = await SeedAsync();

        var report = await session.GetJsonAsync($"/api/v1/costs?{Range()}&granularity=hour&groupBy=model");
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

        var report = await session.GetJsonAsync($"/api/v1/costs?{Range()}&groupBy=department,user&department=support");

        Assert.Equal("users", report.GetProperty("cube").GetString());
        Assert.Equal(["u-0", "u-1"], report.GetProperty("series").EnumerateArray().Select(s => s.GetProperty("key").GetProperty("user").GetString()).Order());
        Assert.Equal(60, report.GetProperty("total").GetProperty("calls").GetInt64());
    }

    [Fact]
    public async Task DailyBucketsFollowTheRequestedTimeZone()
    {
        var session = await SeedAsync();

        var report = await session.GetJsonAsync($"/api/v1/costs?{Range()}&granularity=day&tz=Asia/Kolkata");
        var starts = report.GetProperty("series")[0].GetProperty("points").EnumerateArray().Select(p => DateTimeOffset.Parse(p.GetProperty("start").GetString()!, CultureInfo.InvariantCulture)).ToList();

        Assert.All(starts, s => Assert.Equal(TimeSpan.FromHours(5.5), s.Offset));
        Assert.All(starts, s => Assert.Equal(TimeSpan.Zero, s.TimeOfDay));
    }

    [Theory]
    [InlineData("Asia/Kolkata")]
    [InlineData("America/Los_Angeles")]
    public async Task DateOnlyBoundsAreMidnightInTheRequestedZone(string zoneId)
    {
        var session = await NewSessionAsync();
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone).DateTime);
        var from = today.AddDays(-3);

        var report = await session.GetJsonAsync($"/api/v1/costs?from={from:yyyy-MM-dd}&to={today:yyyy-MM-dd}&tz={zoneId}");

        // Rollups are hourly, so a window starts at the hour holding local midnight (18:00Z for Kolkata's 18:30Z midnight).
        var midnight = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), zone.GetUtcOffset(from.ToDateTime(TimeOnly.MinValue)));
        Assert.Equal(TimeBuckets.HourStart(midnight), report.GetProperty("from").GetDateTimeOffset());
    }

    [Fact]
    public async Task UtcDailyTotalsFromDayRowsEqualTheHourlyTotals()
    {
        var session = await SeedAsync();
        var from = new DateTimeOffset(Pipelines.ClosedHour(3).UtcDateTime.Date, TimeSpan.Zero).AddDays(-1);
        var range = $"from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(from.AddDays(3).ToString("O"))}";

        var daily = await session.GetJsonAsync($"/api/v1/costs?{range}&granularity=day&groupBy=model");
        var hourly = await session.GetJsonAsync($"/api/v1/costs?{range}&granularity=hour&groupBy=model");

        Assert.Equal(hourly.GetProperty("total").GetProperty("costUsd").GetDecimal(), daily.GetProperty("total").GetProperty("costUsd").GetDecimal());
        Assert.Equal(120, daily.GetProperty("total").GetProperty("calls").GetInt64());
        Assert.Equal(hourly.GetProperty("total").GetProperty("latencyMs").GetProperty("p95").GetDouble(), daily.GetProperty("total").GetProperty("latencyMs").GetProperty("p95").GetDouble());
    }

    [Fact]
    public async Task CsvIsReturnedWhenAskedFor()
    {
        var session = await SeedAsync();

        var response = await session.GetAsync($"/api/v1/costs?{Range()}&granularity=hour&groupBy=model", accept: "text/csv");
        var lines = (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("start,model,calls,errors,cost_usd", lines[0], StringComparison.Ordinal);
        Assert.Equal(1 + 6, lines.Length);
    }

    [Fact]
    public async Task TheSummaryAndTopUsersAnswer()
    {
        var session = await SeedAsync();

        var summary = await session.GetJsonAsync("/api/v1/costs/summary?tz=Europe/Berlin");
        var top = await session.GetJsonAsync($"/api/v1/usage/top?dimension=user&n=2&{Range()}");

        Assert.True(summary.GetProperty("monthToDate").GetProperty("costUsd").GetDecimal() > 0 || summary.GetProperty("lastMonth").GetProperty("costUsd").GetDecimal() > 0);
        Assert.Contains(summary.GetProperty("biggestMovers").EnumerateArray(), m => m.GetProperty("model").GetString() == "gpt-4o");
        Assert.Equal(2, top.GetArrayLength());
        Assert.True(top[0].GetProperty("costUsd").GetDecimal() >= top[1].GetProperty("costUsd").GetDecimal());
    }

    [Theory]
    [InlineData("/api/v1/costs?granularity=fortnight", "granularity")]
    [InlineData("/api/v1/costs?groupBy=model,user,department", "groupBy")]
    [InlineData("/api/v1/costs?groupBy=colour", "groupBy")]
    [InlineData("/api/v1/costs?groupBy=user,model", "groupBy")]
    [InlineData("/api/v1/costs?tz=Mars/Olympus", "tz")]
    [InlineData("/api/v1/costs?from=yesterday", "from")]
    [InlineData("/api/v1/costs?modle=gpt-4o", "modle")]
    [InlineData("/api/v1/usage/top?n=5", "dimension")]
    [InlineData("/api/v1/usage/top?dimension=user&n=0", "n")]
    [InlineData("/api/v1/costs/summary?tz=Nowhere/Else", "tz")]
    public async Task ABadQueryNamesTheParameter(string path, string field)
    {
        var session = await NewSessionAsync();

        var response = await session.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotEmpty((await response.ReadProblemAsync()).FieldErrors(field));
    }

    [Fact]
    public async Task AnotherTenantsCostsAreInvisible()
    {
        var theirs = await SeedAsync();
        var mine = await NewSessionAsync();

        var report = await mine.GetJsonAsync($"/api/v1/costs?{Range()}");

        Assert.NotEqual(theirs.Tenant, mine.Tenant);
        Assert.Equal(0, report.GetProperty("total").GetProperty("calls").GetInt64());
    }
}

public sealed class CostsApiOnLocalMode() : CostsApiTests(ApiHosts.Local());

public sealed class CostsApiOnTheFunctionsApp(CosmosTestServerFixture cosmos, AzuriteFixture azurite) : CostsApiTests(ApiHosts.Functions(cosmos, azurite));
