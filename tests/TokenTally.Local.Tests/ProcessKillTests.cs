using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TokenTally.Local.Tests.Infrastructure;
using TokenTally.Testing;

namespace TokenTally.Local.Tests;

/// <summary>
/// Crash injection with a real process: a server killed with SIGKILL in the middle of a backfill loses its orchestrations
/// (they live in memory) but not the ledger, the changed-hour marks or the rollups (SQLite). Started again on the same data,
/// its start-up run and a second backfill each end with exactly the totals of the calls ingested, and of a server never killed.
/// </summary>
public sealed class ProcessKillTests(ITestOutputHelper output) : IDisposable
{
    private const int Hours = 8;
    private const int CallsPerHour = 600;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    /// <summary>Each model's calls all have the same tokens, so one call's price gives the exact cost of all of them.</summary>
    private static readonly CallShape[] Shapes = [new("gpt-4o", 12_000, 1_500), new("gpt-4o-mini", 7_000, 800)];

    // One backfill hour at a time, so that a kill lands between hours often enough.
    private static readonly string[] Settings =
    [
        "--TokenTally:Pipeline:MaxParallelism=1",
        "--TokenTally:Pipeline:FirstRetryInterval=00:00:00.100",
        "--Logging:LogLevel:Default=Warning",
    ];

    private readonly TemporaryFolder _folder = new("tokentally-kill-");
    private readonly DateTimeOffset _from = ClosedHoursStart();

    private DateTimeOffset To => _from.AddHours(Hours);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 600_000)]
    public async Task ABackfillKilledMidwayEndsAfterARestartWithTheTotalsOfACleanRun()
    {
        var clean = await RunCleanAsync();

        var data = _folder.File("killed");
        ProjectAccess access;
        BackfillState atKill;
        await using (var doomed = await StartServerAsync(data, scheduler: false))
        {
            using var client = doomed.CreateClient();
            access = await ProjectAccess.CreateAsync(client, await AdminKeyAsync(data));
            await IngestAsync(client, access);
            var backfill = await StartBackfillAsync(client, access);
            atKill = await WaitUntilPartlyDoneAsync(client, access, backfill);
            await doomed.KillAsync();
        }

        output.WriteLine($"Killed with {atKill.Succeeded} of {Hours} hours done ({atKill.Status}).");

        // Orchestrations are gone with the process; the start-up run rolls up the hours still marked as changed.
        await using var restarted = await StartServerAsync(data, scheduler: true);
        using var restartedClient = restarted.CreateClient();
        await WaitUntilTheStartUpRunCompletedAsync(restartedClient, access, restarted);
        var afterStartUp = await HourlyCostsByModelAsync(restartedClient, access);
        AssertOnePointPerHourAndModel(afterStartUp);
        AssertTotalsAreTheIngestedCalls(afterStartUp, clean.UnitCosts);

        var again = await StartBackfillAsync(restartedClient, access);
        await WaitUntilCompletedAsync(restartedClient, access, again, restarted);
        var recovered = await HourlyCostsByModelAsync(restartedClient, access);

        AssertOnePointPerHourAndModel(recovered);
        AssertTotalsAreTheIngestedCalls(recovered, clean.UnitCosts);
        Assert.Equal(clean.Report.Points, recovered.Points);
        Assert.Equal(clean.Report.Total, recovered.Total);
    }

    /// <summary>The same calls and backfill on a server never killed; also learns each model's price per call.</summary>
    private async Task<CleanRun> RunCleanAsync()
    {
        var data = _folder.File("clean");
        await using var server = await StartServerAsync(data, scheduler: false);
        using var client = server.CreateClient();
        var access = await ProjectAccess.CreateAsync(client, await AdminKeyAsync(data));
        await IngestAsync(client, access);
        var elapsed = Stopwatch.StartNew();
        var backfill = await StartBackfillAsync(client, access);
        await WaitUntilCompletedAsync(client, access, backfill, server);
        output.WriteLine($"The clean backfill of {Hours} hours took {elapsed.ElapsedMilliseconds} ms.");

        var unitCosts = new Dictionary<string, decimal>();
        foreach (var shape in Shapes)
        {
            unitCosts[shape.Model] = await CallCostAsync(client, access, CallId(Array.IndexOf(Shapes, shape), shape));
        }

        var report = await HourlyCostsByModelAsync(client, access);
        AssertOnePointPerHourAndModel(report);
        AssertTotalsAreTheIngestedCalls(report, unitCosts);
        return new CleanRun(report, unitCosts);
    }

    private void AssertOnePointPerHourAndModel(CostsByModel report)
    {
        var expected = Shapes.SelectMany(s => Enumerable.Range(0, Hours).Select(h => (s.Model, _from.AddHours(h)))).Order();
        Assert.Equal(expected, report.Points.Select(p => (p.Model, p.Hour)).Order());
        Assert.All(report.Points, p => Assert.Equal(CallsPerHour / Shapes.Length, p.Totals.Calls));
    }

    private static void AssertTotalsAreTheIngestedCalls(CostsByModel report, IReadOnlyDictionary<string, decimal> unitCosts)
    {
        const int callsPerShape = Hours * CallsPerHour / 2;
        var expected = new Totals(
            Hours * CallsPerHour,
            Shapes.Sum(s => callsPerShape * s.InputTokens),
            Shapes.Sum(s => callsPerShape * s.OutputTokens),
            Shapes.Sum(s => callsPerShape * unitCosts[s.Model]));
        Assert.Equal(expected, report.Total);
        Assert.Equal(expected, Totals.Sum(report.Points));
    }

    /// <summary>One batch per hour; within an hour the models alternate and the calls are spread over the whole hour.</summary>
    private async Task IngestAsync(HttpClient client, ProjectAccess access)
    {
        for (var hour = 0; hour < Hours; hour++)
        {
            var records = Enumerable.Range(0, CallsPerHour).Select(i =>
            {
                var shape = Shapes[i % Shapes.Length];
                return CallRecords.Record(CallId(hour * CallsPerHour + i, shape), _from.AddHours(hour).AddSeconds(i * 3600 / CallsPerHour), shape.Model, shape.InputTokens, shape.OutputTokens);
            });
            using var request = ApiRequests.WithKey(HttpMethod.Post, "/api/v1/events", access.Key, CallRecords.Batch(records));
            await Api.EnsureSuccessAsync(await client.SendAsync(request, Ct), $"ingest hour {hour}");
        }
    }

    private static string CallId(int index, CallShape shape) => $"call-{index:D5}-{shape.Model}";

    private async Task<string> StartBackfillAsync(HttpClient client, ProjectAccess access)
    {
        using var request = ApiRequests.Admin(HttpMethod.Post, "/api/v1/pipeline/runs", access.AdminKey, new { from = _from, to = To });
        var response = await client.SendAsync(request, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString()!;
    }

    /// <summary>
    /// Polls as fast as it can until at least a random number of hours (one to all but one) have succeeded, so the kill lands
    /// at a different point from run to run; answers the state it saw last.
    /// </summary>
    private async Task<BackfillState> WaitUntilPartlyDoneAsync(HttpClient client, ProjectAccess access, string backfill)
    {
        var enough = Random.Shared.Next(1, Hours);
        output.WriteLine($"Killing once {enough} of {Hours} hours have succeeded.");
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < Patience)
        {
            var state = await BackfillStateAsync(client, access, backfill);
            Assert.True(state.Status == "running" || state.Status == "pending", $"The backfill was {state.Status} before the kill ({state.Succeeded} of {Hours} hours); the test needs a larger workload.");
            if (state.Succeeded >= enough)
            {
                return state;
            }

            await Task.Delay(5, Ct);
        }

        throw new TimeoutException($"Fewer than {enough} hours of the backfill succeeded within {Patience.TotalSeconds:0} s.");
    }

    private async Task WaitUntilCompletedAsync(HttpClient client, ProjectAccess access, string backfill, LocalServerProcess server)
    {
        var state = new BackfillState("unknown", 0);
        await Eventually.HoldsAsync(
            async () => (state = await BackfillStateAsync(client, access, backfill)).Status is "completed" or "failed",
            Patience,
            () => $"Backfill {backfill} is {state.Status} with {state.Succeeded} of {Hours} hours.{Environment.NewLine}Server output:{Environment.NewLine}{server.OutputTail}");
        Assert.True(state == new BackfillState("completed", Hours), $"Backfill {backfill}: {state}{Environment.NewLine}{server.OutputTail}");
    }

    private static async Task<BackfillState> BackfillStateAsync(HttpClient client, ProjectAccess access, string backfill)
    {
        using var request = ApiRequests.Admin(HttpMethod.Get, $"/api/v1/pipeline/runs/{backfill}", access.AdminKey);
        var run = await (await Api.EnsureSuccessAsync(await client.SendAsync(request, Ct), "read the backfill")).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var succeeded = run.TryGetProperty("backfill", out var progress) ? progress.GetProperty("succeeded").GetInt32() : 0;
        return new BackfillState(run.GetProperty("status").GetString()!, succeeded);
    }

    /// <summary>Waits until the restarted server's hourly runs (the one it starts at start-up, and any since) have completed.</summary>
    private async Task WaitUntilTheStartUpRunCompletedAsync(HttpClient client, ProjectAccess access, LocalServerProcess server)
    {
        var runs = new List<(string Id, string Status)>();
        await Eventually.HoldsAsync(
            async () =>
            {
                using var request = ApiRequests.Admin(HttpMethod.Get, "/api/v1/pipeline/runs", access.AdminKey);
                var listed = await (await Api.EnsureSuccessAsync(await client.SendAsync(request, Ct), "list the runs")).Content.ReadFromJsonAsync<JsonElement>(Ct);
                runs = listed.EnumerateArray().Where(r => r.GetProperty("kind").GetString() == "hourly")
                    .Select(r => (r.GetProperty("id").GetString()!, r.GetProperty("status").GetString()!)).ToList();
                return runs.Count > 0 && runs.All(r => r.Status is "completed" or "failed");
            },
            Patience,
            () => $"Hourly runs: {string.Join(", ", runs)}{Environment.NewLine}{server.OutputTail}");
        Assert.All(runs, r => Assert.Equal("completed", r.Status));
        output.WriteLine($"Start-up run: {string.Join(", ", runs)}.");
    }

    private async Task<CostsByModel> HourlyCostsByModelAsync(HttpClient client, ProjectAccess access)
    {
        using var request = ApiRequests.WithKey(HttpMethod.Get, $"/api/v1/costs?{Api.Query(_from, To)}&granularity=hour&groupBy=model", access.Key);
        var response = await Api.EnsureSuccessAsync(await client.SendAsync(request, Ct), "query the costs");
        var report = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var points = report.GetProperty("series").EnumerateArray()
            .SelectMany(series => series.GetProperty("points").EnumerateArray().Select(p => new HourPoint(
                series.GetProperty("key").GetProperty("model").GetString()!,
                DateTimeOffset.Parse(p.GetProperty("start").GetString()!, CultureInfo.InvariantCulture),
                Totals.Of(p))))
            .Where(p => p.Totals.Calls > 0)
            .OrderBy(p => p.Model, StringComparer.Ordinal).ThenBy(p => p.Hour)
            .ToList();
        return new CostsByModel(points, Totals.Of(report.GetProperty("total")));
    }

    private static async Task<decimal> CallCostAsync(HttpClient client, ProjectAccess access, string id)
    {
        using var request = ApiRequests.WithKey(HttpMethod.Get, $"/api/v1/calls/{id}", access.Key);
        var response = await Api.EnsureSuccessAsync(await client.SendAsync(request, Ct), $"read call {id}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("cost").GetProperty("totalUsd").GetDecimal();
    }

    private Task<LocalServerProcess> StartServerAsync(string dataPath, bool scheduler) =>
        LocalServerProcess.StartAsync(ServerBuild.LocalDll, dataPath, [$"--TokenTally:Local:RunScheduler={scheduler}", .. Settings], null, Ct, workingDirectory: _folder.Path);

    private static async Task<string> AdminKeyAsync(string dataPath) => (await File.ReadAllTextAsync(Path.Combine(dataPath, "admin-key"), Ct)).Trim();

    /// <summary>The start of the first of <see cref="Hours"/> whole hours that all ended at least an hour ago.</summary>
    private static DateTimeOffset ClosedHoursStart()
    {
        var now = TimeProvider.System.GetUtcNow();
        return new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(-Hours - 1);
    }

    public void Dispose() => _folder.Dispose();

    private sealed record CallShape(string Model, long InputTokens, long OutputTokens);

    private sealed record BackfillState(string Status, int Succeeded);

    private sealed record Totals(long Calls, long InputTokens, long OutputTokens, decimal CostUsd)
    {
        public static Totals Of(JsonElement point) => new(
            point.GetProperty("calls").GetInt64(), point.GetProperty("inputTokens").GetInt64(), point.GetProperty("outputTokens").GetInt64(), point.GetProperty("costUsd").GetDecimal());

        public static Totals Sum(IEnumerable<HourPoint> points) => points.Aggregate(
            new Totals(0, 0, 0, 0m), (sum, p) => new Totals(sum.Calls + p.Totals.Calls, sum.InputTokens + p.Totals.InputTokens, sum.OutputTokens + p.Totals.OutputTokens, sum.CostUsd + p.Totals.CostUsd));
    }

    private sealed record HourPoint(string Model, DateTimeOffset Hour, Totals Totals);

    private sealed record CostsByModel(IReadOnlyList<HourPoint> Points, Totals Total);

    private sealed record CleanRun(CostsByModel Report, IReadOnlyDictionary<string, decimal> UnitCosts);
}
