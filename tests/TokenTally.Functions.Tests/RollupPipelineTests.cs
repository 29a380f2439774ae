using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TokenTally.Core.Pipeline;
using TokenTally.Core.Rollups;
using TokenTally.Functions.Ingestion;
using TokenTally.Functions.Pipeline;
using TokenTally.Functions.Tests.Infrastructure;
using TokenTally.Storage.Blobs;

namespace TokenTally.Functions.Tests;

/// <summary>The hourly pipeline's rollups: exact totals in every cube, late data, resumption, archive.</summary>
public sealed class RollupPipelineTests : ServerTests
{
    private static readonly string[] Models = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5", "gemini-2.5-flash"];
    private static readonly string[] Providers = ["openai", "openai", "anthropic", "google"];

    private static DateTimeOffset ClosedHour(int hoursAgo)
    {
        var now = DateTimeOffset.UtcNow;
        return new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(-hoursAgo);
    }

    private static string Call(string id, DateTimeOffset at, int i) =>
        Calls.Record(id, at, provider: Providers[i % 4], model: Models[i % 4], input: 500 + (i * 37 % 4000), output: 20 + (i * 13 % 700),
            extra: $",\"userId\":\"user-{i % 23}\",\"department\":\"{(i % 3 == 0 ? "support" : "sales")}\",\"service\":\"svc-{i % 2}\",\"latencyMs\":{100 + (i * 7919 % 5000)},\"status\":\"{(i % 17 == 0 ? "error" : "ok")}\"" +
                   (i % 5 == 0 ? ",\"experiment\":\"prompt-v2\",\"variant\":\"" + (i % 10 == 0 ? "control" : "treatment") + "\"" : string.Empty));

    private async Task<ApiSession> IngestAsync(DateTimeOffset hour, int count, string prefix = "r")
    {
        var session = await ApiSession.CreateAsync(Server, Client);
        await SendAsync(session, hour, count, prefix);
        return session;
    }

    private static async Task SendAsync(ApiSession session, DateTimeOffset hour, int count, string prefix)
    {
        var records = Enumerable.Range(0, count).Select(i => Call($"{prefix}-{i}", hour.AddSeconds(i * 3599.0 / count), i)).ToArray();
        foreach (var chunk in records.Chunk(500))
        {
            Assert.Equal(HttpStatusCode.OK, (await session.PostEventsAsync(Calls.Batch(chunk))).StatusCode);
        }
    }

    private Task<HttpResponseMessage> FireTimerAsync(DateTimeOffset invocationTime) =>
        Client.PostAsync("/HourlyPipeline", new StringContent(JsonSerializer.Serialize(new
        {
            Data = new { timer = new { Schedule = new { AdjustForDST = true }, IsPastDue = false } },
            Metadata = new { sys = new { MethodName = "HourlyPipeline", UtcNow = invocationTime, RandGuid = Guid.NewGuid() } },
        }), Encoding.UTF8, "application/json"));

    private async Task<List<RollupRow>> RowsAsync(string tenant, Cube cube, DateTimeOffset hour)
    {
        var rows = new List<RollupRow>();
        await foreach (var row in Server.Services.GetRequiredService<RollupStore>().ReadAsync(tenant, cube, hour, hour.AddHours(1), TestContext.Current.CancellationToken))
        {
            rows.Add(row);
        }

        return rows;
    }

    private async Task<List<StoredCall>> RecordsAsync(string tenant, DateTimeOffset hour)
    {
        var calls = new List<StoredCall>();
        await foreach (var call in Server.Services.GetRequiredService<CallRecordStore>().ReadHourAsync(tenant, hour, TestContext.Current.CancellationToken))
        {
            calls.Add(call);
        }

        return calls;
    }

    [Fact]
    public async Task RollupTotalsEqualTheExactSumOfTheHoursCallsInEveryCubeAndDimension()
    {
        var hour = ClosedHour(1);
        var session = await IngestAsync(hour, 1200);

        Assert.Equal(HttpStatusCode.OK, (await FireTimerAsync(hour.AddHours(1).AddMinutes(5))).StatusCode);
        var records = await RecordsAsync(session.Tenant, hour);
        var exactCost = records.Sum(r => r.Pricing.Cost?.Total ?? 0);

        foreach (var cube in Cube.All)
        {
            var rows = await RowsAsync(session.Tenant, cube, hour);
            Assert.Equal(exactCost, rows.Sum(r => r.CostUsd));
            Assert.Equal(records.Count, rows.Sum(r => r.Calls));
            Assert.Equal(records.Sum(r => r.Event.Usage.Input), rows.Sum(r => r.InputTokens));
            Assert.Equal(records.Count(r => r.Event.Status == Core.Calls.CallStatus.Error), rows.Sum(r => r.Errors));
            foreach (var dimension in cube.Dimensions)
            {
                var fact = records.Select(RollupStep.ToFact).ToList();
                var exact = fact.GroupBy(f => f[dimension]).ToDictionary(g => g.Key, g => g.Sum(f => f.CostUsd));
                var rolled = rows.GroupBy(r => r.ValueOf(dimension)!).ToDictionary(g => g.Key, g => g.Sum(r => r.CostUsd));
                Assert.Equal(exact.OrderBy(e => e.Key), rolled.OrderBy(e => e.Key));
            }
        }
    }

    [Fact]
    public async Task ACallThatArrivesTwoHoursLateIsCountedAfterTheNextRun()
    {
        var hour = ClosedHour(3);
        var session = await IngestAsync(hour, 10);
        await FireTimerAsync(hour.AddHours(2).AddMinutes(5));
        Assert.Equal(10, (await RowsAsync(session.Tenant, Cube.Total, hour)).Sum(r => r.Calls));

        await SendAsync(session, hour, 1, "late");
        await FireTimerAsync(hour.AddHours(3).AddMinutes(5));

        Assert.Equal(11, (await RowsAsync(session.Tenant, Cube.Total, hour)).Sum(r => r.Calls));
    }

    [Fact]
    public async Task ARunInterruptedBetweenStepsResumesAtTheUnfinishedStepWithTheSameTotalsAndNoDuplicateRows()
    {
        var hour = ClosedHour(1);
        var session = await IngestAsync(hour, 300);
        var runs = Server.Services.GetRequiredService<PipelineRunStore>();

        // A run whose instance died after Rollup, Budgets… and before Archive, an hour ago (its lease long expired).
        var crashedAt = DateTimeOffset.UtcNow.AddHours(-1);
        var crashed = PipelineSteps.InOrder.Take(5).Aggregate(PipelineRun.Start(hour, "timer", crashedAt), (run, step) => run.BeginStep(step, crashedAt).CompleteStep(step, crashedAt));
        await runs.CreateAsync(crashed, TestContext.Current.CancellationToken);
        await Server.Services.GetRequiredService<RollupStep>().RollUpAsync(session.Tenant, hour, TestContext.Current.CancellationToken);
        var before = await RowsAsync(session.Tenant, Cube.Usage, hour);

        Assert.Equal(HttpStatusCode.OK, (await FireTimerAsync(hour.AddHours(1).AddMinutes(5))).StatusCode);
        var after = await RowsAsync(session.Tenant, Cube.Usage, hour);
        var run = (await runs.GetAsync(hour, TestContext.Current.CancellationToken))!.Run;

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(2, run.Attempts);
        Assert.Equal(StepStatus.Succeeded, run.Steps[^1].Status);
        Assert.Equal(before.Count, after.Count);
        Assert.Equal(before.Sum(r => r.CostUsd), after.Sum(r => r.CostUsd));
        Assert.NotNull(await Server.Services.GetRequiredService<IBlobStore>().GetAsync(BlobContainer.Archive, ArchiveStep.BlobName(session.Tenant, hour), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ARollupThatFailsTwiceEndsWithTheSameRowsAndTotalsAsACleanRun()
    {
        var hour = ClosedHour(1);
        var session = await IngestAsync(hour, 400);
        var clean = Server.Services.GetRequiredService<RollupStep>();
        await clean.RollUpAsync(session.Tenant, hour, TestContext.Current.CancellationToken);
        var cleanRows = await RowsAsync(session.Tenant, Cube.Usage, hour);

        await using var flakyServer = new TokenTallyServer(
            new Dictionary<string, string?>
            {
                ["TokenTally:Local:DataPath"] = Server.DataPath,
                ["TokenTally:Pipeline:RetryBaseDelay"] = "00:00:00",
                ["TokenTally:Pipeline:RetryMaxDelay"] = "00:00:00",
            },
            services => services.AddSingleton<IPipelineStep>(sp => new FailingTwice(sp.GetRequiredService<RollupStep>())));
        using var flakyClient = flakyServer.Start();
        var response = await flakyClient.PostAsync("/HourlyPipeline", new StringContent(JsonSerializer.Serialize(new
        {
            Data = new { timer = new { IsPastDue = false } },
            Metadata = new { sys = new { UtcNow = hour.AddHours(1).AddMinutes(5) } },
        }), Encoding.UTF8, "application/json"));
        var run = (await flakyServer.Services.GetRequiredService<PipelineRunStore>().GetAsync(hour, TestContext.Current.CancellationToken))!.Run;
        var rows = new List<RollupRow>();
        await foreach (var row in flakyServer.Services.GetRequiredService<RollupStore>().ReadAsync(session.Tenant, Cube.Usage, hour, hour.AddHours(1), TestContext.Current.CancellationToken))
        {
            rows.Add(row);
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, run.Steps[0].Attempts);
        Assert.Equal(StepStatus.Succeeded, run.Steps[0].Status);
        Assert.Equal(cleanRows.Count, rows.Count);
        Assert.Equal(cleanRows.Sum(r => r.CostUsd), rows.Sum(r => r.CostUsd));
        Assert.Equal(cleanRows.Sum(r => r.Calls), rows.Sum(r => r.Calls));
    }

    /// <summary>Fault injection: the real rollup step, failing on its first two attempts.</summary>
    private sealed class FailingTwice(RollupStep inner) : IPipelineStep
    {
        private int _attempts;

        public string Name => inner.Name;

        public Task RunAsync(DateTimeOffset hour, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _attempts) <= 2 ? throw new IOException("Injected failure.") : inner.RunAsync(hour, cancellationToken);
    }

    [Fact]
    public async Task TheArchiveHoldsTheHoursCallsAsNdJsonGzip()
    {
        var hour = ClosedHour(1);
        var session = await IngestAsync(hour, 25);

        await FireTimerAsync(hour.AddHours(1).AddMinutes(5));
        var blob = await Server.Services.GetRequiredService<IBlobStore>().GetAsync(BlobContainer.Archive, ArchiveStep.BlobName(session.Tenant, hour), TestContext.Current.CancellationToken);
        using var reader = new StreamReader(new System.IO.Compression.GZipStream(new MemoryStream(blob!), System.IO.Compression.CompressionMode.Decompress));
        var lines = (await reader.ReadToEndAsync(TestContext.Current.CancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(25, lines.Length);
        Assert.All(lines, l => Assert.Equal(session.Tenant, JsonDocument.Parse(l).RootElement.GetProperty("event").GetProperty("tenant").GetString()));
    }

    [Fact]
    public async Task ABackfillRunsEveryHourOfTheRangeThroughTheQueueAndRepricesAfterAPriceChange()
    {
        var hour = ClosedHour(2);
        var session = await IngestAsync(hour, 20);
        await FireTimerAsync(hour.AddHours(1).AddMinutes(5));
        var costBefore = (await RowsAsync(session.Tenant, Cube.Total, hour)).Sum(r => r.CostUsd);
        using var discount = ApiSession.Admin(HttpMethod.Put, $"/api/v1/admin/tenants/{session.Tenant}/price-overrides", session.AdminKey, new { discountPercent = 50 });
        await Client.SendAsync(discount);

        using var backfill = ApiSession.Admin(HttpMethod.Post, "/api/v1/pipeline/runs", session.AdminKey, new { from = hour, to = hour.AddHours(2), reprice = true });
        var accepted = await Client.SendAsync(backfill);
        var body = await accepted.Content.ReadFromJsonAsync<JsonElement>();
        var runs = default(JsonElement);
        await WaitUntilAsync(async () =>
        {
            using var list = ApiSession.Admin(HttpMethod.Get, $"/api/v1/pipeline/runs?from={Uri.EscapeDataString(hour.ToString("O"))}&to={Uri.EscapeDataString(hour.AddHours(2).ToString("O"))}", session.AdminKey);
            runs = await (await Client.SendAsync(list)).Content.ReadFromJsonAsync<JsonElement>();
            return runs.EnumerateArray().Count(r => r.GetProperty("trigger").GetString() == "backfill" && r.GetProperty("status").GetString() == "succeeded") == 2;
        });
        var repriced = (await RecordsAsync(session.Tenant, hour)).First();

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(2, body.GetProperty("hours").GetInt32());
        Assert.All(runs.EnumerateArray(), r => Assert.Equal("backfill", r.GetProperty("trigger").GetString()));
        Assert.Equal(2, runs.GetArrayLength());
        Assert.Equal(costBefore / 2, (await RowsAsync(session.Tenant, Cube.Total, hour)).Sum(r => r.CostUsd));
        Assert.Single(repriced.PriceHistory!);
        Assert.Contains("discount-50", repriced.Pricing.Cost!.PriceVersion, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABackfillRangeIsValidated()
    {
        var session = await ApiSession.CreateAsync(Server, Client);
        using var request = ApiSession.Admin(HttpMethod.Post, "/api/v1/pipeline/runs", session.AdminKey, new { from = DateTimeOffset.UtcNow, to = DateTimeOffset.UtcNow.AddHours(-3) });

        var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotEmpty((await response.ReadProblemAsync()).FieldErrors("to"));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 300; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The backfill did not finish within 15 seconds.");
    }
}
