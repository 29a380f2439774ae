using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TokenTally.Application.Calls;
using TokenTally.Application.Pipeline;
using TokenTally.Application.Rollups;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Core.Calls;
using TokenTally.Core.Rollups;
using TokenTally.Storage.Blobs;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Pipeline;

/// <summary>The hour run's rollups: exact totals in every cube, late data, the archive, backfills with repricing.</summary>
public abstract class RollupPipelineTests(Func<Task<IApiHost>> start) : ApiSpecification(start)
{
    private static readonly string[] Models = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5", "gemini-2.5-flash"];
    private static readonly string[] Providers = ["openai", "openai", "anthropic", "google"];

    private static string Call(string id, DateTimeOffset at, int i) =>
        CallRecords.Record(id, at, provider: Providers[i % 4], model: Models[i % 4], input: 500 + (i * 37 % 4000), output: 20 + (i * 13 % 700),
            extra: $",\"userId\":\"user-{i % 23}\",\"department\":\"{(i % 3 == 0 ? "support" : "sales")}\",\"service\":\"svc-{i % 2}\",\"latencyMs\":{100 + (i * 7919 % 5000)},\"status\":\"{(i % 17 == 0 ? "error" : "ok")}\"" +
                   (i % 5 == 0 ? ",\"experiment\":\"prompt-v2\",\"variant\":\"" + (i % 10 == 0 ? "control" : "treatment") + "\"" : string.Empty));

    private async Task<ApiSession> IngestAsync(DateTimeOffset hour, int count, string prefix = "r")
    {
        var session = await NewSessionAsync();
        await SendAsync(session, hour, count, prefix);
        return session;
    }

    private static async Task SendAsync(ApiSession session, DateTimeOffset hour, int count, string prefix)
    {
        var records = Enumerable.Range(0, count).Select(i => Call($"{prefix}-{i}", hour.AddSeconds(i * 3599.0 / count), i)).ToArray();
        foreach (var chunk in records.Chunk(500))
        {
            Assert.Equal(HttpStatusCode.OK, (await session.PostEventsAsync(CallRecords.Batch(chunk))).StatusCode);
        }
    }

    private async Task<List<RollupRow>> RowsAsync(string tenant, Cube cube, DateTimeOffset hour)
    {
        var rows = new List<RollupRow>();
        await foreach (var row in Host.Services.GetRequiredService<RollupStore>().ReadAsync(tenant, cube, hour, hour.AddHours(1), TestContext.Current.CancellationToken))
        {
            rows.Add(row);
        }

        return rows;
    }

    private async Task<List<StoredCall>> RecordsAsync(string tenant, DateTimeOffset hour)
    {
        var calls = new List<StoredCall>();
        await foreach (var call in Host.Services.GetRequiredService<CallRecordStore>().ReadHourAsync(tenant, hour, TestContext.Current.CancellationToken))
        {
            calls.Add(call);
        }

        return calls;
    }

    [Fact]
    public async Task RollupTotalsEqualTheExactSumOfTheHoursCallsInEveryCubeAndDimension()
    {
        var hour = Pipelines.ClosedHour(1);
        var session = await IngestAsync(hour, 600);

        var report = await Host.RunHourAsync();
        var records = await RecordsAsync(session.Tenant, hour);
        var facts = records.Select(CallFact.Of).ToList();

        Assert.Equal(600, report.CallsRolledUp);
        foreach (var cube in Cube.All)
        {
            var rows = await RowsAsync(session.Tenant, cube, hour);
            Assert.Equal(records.Sum(r => r.Pricing.Cost?.Total ?? 0), rows.Sum(r => r.CostUsd));
            Assert.Equal(records.Count, rows.Sum(r => r.Calls));
            Assert.Equal(records.Sum(r => r.Event.Usage.Input), rows.Sum(r => r.InputTokens));
            Assert.Equal(records.Count(r => r.Event.Status == CallStatus.Error), rows.Sum(r => r.Errors));
            foreach (var dimension in cube.Dimensions)
            {
                var exact = facts.GroupBy(f => f[dimension]).ToDictionary(g => g.Key, g => g.Sum(f => f.CostUsd));
                var rolled = rows.GroupBy(r => r.ValueOf(dimension)!).ToDictionary(g => g.Key, g => g.Sum(r => r.CostUsd));
                Assert.Equal(exact.OrderBy(e => e.Key), rolled.OrderBy(e => e.Key));
            }
        }
    }

    [Fact]
    public async Task ACallThatArrivesLateIsCountedByTheNextRun()
    {
        var hour = Pipelines.ClosedHour(30);
        var session = await IngestAsync(hour, 10);
        await Host.RunHourAsync();
        Assert.Equal(10, (await RowsAsync(session.Tenant, Cube.Total, hour)).Sum(r => r.Calls));

        await SendAsync(session, hour, 1, "late");
        var report = await Host.RunHourAsync();

        Assert.Equal(11, (await RowsAsync(session.Tenant, Cube.Total, hour)).Sum(r => r.Calls));
        Assert.Equal(1, report.ChangedTaken);
    }

    [Fact]
    public async Task TheArchiveHoldsTheHoursCallsAsNdJsonGzip()
    {
        var hour = Pipelines.ClosedHour(1);
        var session = await IngestAsync(hour, 25);

        await Host.RunHourAsync();
        var blob = await Host.Services.GetRequiredService<IBlobStore>().GetAsync(BlobContainer.Archive, HourArchive.BlobName(session.Tenant, hour), TestContext.Current.CancellationToken);
        using var reader = new StreamReader(new GZipStream(new MemoryStream(blob!), CompressionMode.Decompress));
        var lines = (await reader.ReadToEndAsync(TestContext.Current.CancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(25, lines.Length);
        Assert.All(lines, l => Assert.Equal(session.Tenant, JsonDocument.Parse(l).RootElement.GetProperty("event").GetProperty("tenant").GetString()));
    }

    [Fact]
    public async Task ABackfillRollsUpEveryHourOfItsRangeAndRepricesAfterAPriceChange()
    {
        var hour = Pipelines.ClosedHour(2);
        var session = await IngestAsync(hour, 20);
        await Host.RunHourAsync();
        var costBefore = (await RowsAsync(session.Tenant, Cube.Total, hour)).Sum(r => r.CostUsd);
        await session.SendAdminAsync(HttpMethod.Put, $"/api/v1/admin/tenants/{session.Tenant}/price-overrides", new { discountPercent = 50 });

        var accepted = await session.SendAdminAsync(HttpMethod.Post, "/api/v1/pipeline/runs", new { from = hour, to = hour.AddHours(2), reprice = true });
        var body = await accepted.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var id = body.GetProperty("id").GetString()!;
        var done = await Host.WaitForRunAsync(id);
        var run = await (await session.SendAdminAsync(HttpMethod.Get, $"/api/v1/pipeline/runs/{id}")).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var hourRun = await (await session.SendAdminAsync(HttpMethod.Get, $"/api/v1/pipeline/runs/{Backfill.HourInstanceId(id, hour)}")).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var repriced = (await RecordsAsync(session.Tenant, hour)).First();

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(2, body.GetProperty("hours").GetInt32());
        Assert.Equal(Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal(2, run.GetProperty("backfill").GetProperty("succeeded").GetInt32());
        Assert.Equal(["reprice", "rollup", "archive", "anomalies", "forecasts", "budgets", "rules", "alerts"], hourRun.GetProperty("hour").GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.All(hourRun.GetProperty("hour").GetProperty("steps").EnumerateArray(), s => Assert.Equal("succeeded", s.GetProperty("status").GetString()));
        Assert.Equal(costBefore / 2, (await RowsAsync(session.Tenant, Cube.Total, hour)).Sum(r => r.CostUsd));
        Assert.Single(repriced.PriceHistory!);
        Assert.Contains("discount-50", repriced.Pricing.Cost!.PriceVersion, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsAreListedFromTheOrchestrationsWithEachStepsOutcome()
    {
        var session = await IngestAsync(Pipelines.ClosedHour(1), 5);
        var starter = Host.Services.GetRequiredService<HourRunStarter>();

        var first = await starter.StartAsync(Host.DurableClient, Pipelines.ClosedHour(1), TestContext.Current.CancellationToken);
        await Host.WaitForRunAsync(HourRun.TimerInstanceId(Pipelines.ClosedHour(1)));
        var second = await starter.StartAsync(Host.DurableClient, Pipelines.ClosedHour(1), TestContext.Current.CancellationToken);
        var runs = await (await session.SendAdminAsync(HttpMethod.Get, "/api/v1/pipeline/runs")).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var run = Assert.Single(runs.EnumerateArray(), r => r.GetProperty("id").GetString() == HourRun.TimerInstanceId(Pipelines.ClosedHour(1)));

        Assert.Equal(StartOutcome.Started, first);
        Assert.Equal(StartOutcome.AlreadyCompleted, second);
        Assert.Equal("hourly", run.GetProperty("kind").GetString());
        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal(["rollup", "archive", "anomalies", "forecasts", "budgets", "rules", "alerts", "retention"], run.GetProperty("hour").GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.True(run.GetProperty("hour").GetProperty("callsRolledUp").GetInt64() >= 5);
    }

    [Theory]
    [InlineData("{}", "from")]
    [InlineData("{\"from\":\"nope\",\"to\":\"2026-11-03T00:00:00Z\"}", "from")]
    [InlineData("{\"from\":\"2026-11-01T00:00:00Z\"}", "to")]
    [InlineData("[1,2]", "body")]
    [InlineData("", "body")]
    public async Task ABackfillRequestThatCannotBeReadNamesTheField(string body, string field)
    {
        var session = await NewSessionAsync();
        using var request = ApiRequests.Admin(HttpMethod.Post, "/api/v1/pipeline/runs", session.AdminKey);
        request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");

        var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotEmpty((await response.ReadProblemAsync()).FieldErrors(field));
    }

    [Fact]
    public async Task ABackfillRangeIsValidated()
    {
        var session = await NewSessionAsync();
        var now = DateTimeOffset.UtcNow;

        var backwards = await session.SendAdminAsync(HttpMethod.Post, "/api/v1/pipeline/runs", new { from = now, to = now.AddHours(-3) });
        var beyondRetention = await session.SendAdminAsync(HttpMethod.Post, "/api/v1/pipeline/runs", new { from = now.AddDays(-40), to = now.AddDays(-39) });
        var future = await session.SendAdminAsync(HttpMethod.Post, "/api/v1/pipeline/runs", new { from = now.AddHours(-1), to = now.AddDays(2) });

        Assert.NotEmpty((await backwards.ReadProblemAsync()).FieldErrors("to"));
        Assert.Contains("retention", (await beyondRetention.ReadProblemAsync()).FieldErrors("from")[0], StringComparison.Ordinal);
        Assert.NotEmpty((await future.ReadProblemAsync()).FieldErrors("to"));
    }
}

public sealed class RollupPipelineOnLocalMode() : RollupPipelineTests(ApiHosts.Local());

public sealed class RollupPipelineOnTheFunctionsApp(CosmosTestServerFixture cosmos, AzuriteFixture azurite) : RollupPipelineTests(ApiHosts.Functions(cosmos, azurite));
