using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using TokenTally.Functions.Tests.Infrastructure;
using TokenTally.Testing;

namespace TokenTally.Functions.Tests;

/// <summary>
/// Crash injection with a real process: a server killed with SIGKILL in the middle of a backfill, started again on the same
/// data and asked for the same backfill, ends with exactly the totals of the calls ingested and of a server never killed.
/// </summary>
public sealed class PipelineProcessKillTests(ITestOutputHelper output)
{
    private const int Hours = 8;
    private const int CallsPerHour = 300;
    private static readonly TimeSpan BackfillTimeout = TimeSpan.FromSeconds(25);

    /// <summary>Each model's calls all have the same tokens, so one call's price gives the exact cost of all of them.</summary>
    private static readonly CallShape[] Shapes = [new("gpt-4o", 12_000, 1_500), new("gpt-4o-mini", 7_000, 800)];

    // A short lease lets the restarted process take over the hour the killed one held; a short visibility timeout brings a
    // work item back soon when it met that lease still held.
    private static readonly string[] Settings =
    [
        "--TokenTally:Local:RunScheduler=false",
        "--TokenTally:Local:QueueVisibilityTimeout=00:00:03",
        "--TokenTally:Local:QueuePollInterval=00:00:00.100",
        "--TokenTally:Pipeline:LeaseDuration=00:00:03",
        "--TokenTally:Pipeline:RetryBaseDelay=00:00:00.100",
        "--TokenTally:Pipeline:RetryMaxDelay=00:00:01",
        "--TokenTally:Ingestion:RequestsPerSecondPerKey=100000",
        "--TokenTally:Ingestion:BurstPerKey=100000",
        "--Logging:LogLevel:Default=Warning",
    ];

    private readonly DateTimeOffset _from = ClosedHoursStart();

    private DateTimeOffset To => _from.AddHours(Hours);

    [Fact]
    public async Task ABackfillKilledMidwayAndRunAgainEndsWithTheTotalsOfACleanRun()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var clean = await RunCleanAsync(cancellationToken);

        await using var data = new DataFolder();
        IReadOnlyList<RunState> atKill;
        ProjectAccess access;
        await using (var doomed = await StartServerAsync(data.Path, cancellationToken))
        {
            using var client = doomed.CreateClient();
            access = await OpenProjectAsync(client, data.Path, cancellationToken);
            await IngestAsync(client, access, cancellationToken);
            await StartBackfillAsync(client, access, cancellationToken);
            atKill = await WaitUntilPartlyDoneAsync(client, access, cancellationToken);
            await doomed.KillAsync();
        }

        output.WriteLine($"Killed with the runs at: {Describe(atKill)}");

        await using var restarted = await StartServerAsync(data.Path, cancellationToken);
        using var restartedClient = restarted.CreateClient();
        await StartBackfillAsync(restartedClient, access, cancellationToken);
        var recovered = await WaitUntilEveryHourSucceededAsync(restartedClient, access, restarted, cancellationToken);
        var report = await HourlyCostsByModelAsync(restartedClient, access, cancellationToken);
        output.WriteLine($"Recovered: {Describe(recovered)}");

        AssertOnePointPerHourAndModel(report);
        AssertTotalsAreTheIngestedCalls(report, clean.UnitCosts);
        Assert.Equal(clean.Report.Points, report.Points);
        Assert.Equal(clean.Report.Total, report.Total);
        Assert.All(
            atKill.Where(r => r.Status is "succeeded" or "running"),
            begun => Assert.True(
                recovered.Single(r => r.Id == begun.Id).Attempts >= 2,
                $"Run {begun.Id} was {begun.Status} at the kill but was not taken again: {Describe(recovered)}"));
    }

    /// <summary>The same calls and backfill on a fresh server that is never killed; also learns each model's price per call.</summary>
    private async Task<CleanRun> RunCleanAsync(CancellationToken cancellationToken)
    {
        await using var data = new DataFolder();
        await using var server = await StartServerAsync(data.Path, cancellationToken);
        using var client = server.CreateClient();
        var access = await OpenProjectAsync(client, data.Path, cancellationToken);
        await IngestAsync(client, access, cancellationToken);
        await StartBackfillAsync(client, access, cancellationToken);
        await WaitUntilEveryHourSucceededAsync(client, access, server, cancellationToken);

        var unitCosts = new Dictionary<string, decimal>();
        foreach (var shape in Shapes)
        {
            unitCosts[shape.Model] = await CallCostAsync(client, access, CallId(Array.IndexOf(Shapes, shape), shape), cancellationToken);
        }

        var report = await HourlyCostsByModelAsync(client, access, cancellationToken);
        AssertOnePointPerHourAndModel(report);
        AssertTotalsAreTheIngestedCalls(report, unitCosts);
        return new CleanRun(report, unitCosts);
    }

    private void AssertOnePointPerHourAndModel(CostsByModel report)
    {
        var expected = Shapes.SelectMany(s => Enumerable.Range(0, Hours).Select(h => (s.Model, _from.AddHours(h)))).Order();
        Assert.Equal(expected, report.Points.Select(p => (p.Model, p.Hour)).Order());
        Assert.All(report.Points, p => Assert.Equal(CallsPerHour / Shapes.Length, p.Calls));
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

    private static async Task<ProjectAccess> OpenProjectAsync(HttpClient client, string dataPath, CancellationToken cancellationToken)
    {
        var adminKey = (await File.ReadAllTextAsync(Path.Combine(dataPath, "admin-key"), cancellationToken)).Trim();
        const string tenant = "kill-test";
        const string project = "pipeline";
        using var create = ApiSession.Admin(HttpMethod.Post, "/api/v1/admin/projects", adminKey, new { tenant, project });
        await EnsureSuccessAsync(await client.SendAsync(create, cancellationToken), "create the project");
        using var issue = ApiSession.Admin(HttpMethod.Post, $"/api/v1/admin/projects/{tenant}/{project}/keys", adminKey, new { name = "kill-test" });
        var issued = await EnsureSuccessAsync(await client.SendAsync(issue, cancellationToken), "issue a key");
        var key = (await issued.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("key").GetString()!;
        return new ProjectAccess(adminKey, key);
    }

    /// <summary>One batch per hour; within an hour the models alternate and the calls are spread over the whole hour.</summary>
    private async Task IngestAsync(HttpClient client, ProjectAccess access, CancellationToken cancellationToken)
    {
        for (var hour = 0; hour < Hours; hour++)
        {
            var records = Enumerable.Range(0, CallsPerHour).Select(i =>
            {
                var shape = Shapes[i % Shapes.Length];
                var at = _from.AddHours(hour).AddSeconds(i * 3600 / CallsPerHour);
                return Calls.Record(CallId(hour * CallsPerHour + i, shape), at, model: shape.Model, input: shape.InputTokens, output: shape.OutputTokens, extra: $",\"latencyMs\":{100 + i}");
            });
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events") { Content = new StringContent(Calls.Batch(records.ToArray()), System.Text.Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("api-key", access.ProjectKey);
            await EnsureSuccessAsync(await client.SendAsync(request, cancellationToken), $"ingest hour {hour}");
        }
    }

    private static string CallId(int index, CallShape shape) => $"call-{index:D5}-{shape.Model}";

    private async Task StartBackfillAsync(HttpClient client, ProjectAccess access, CancellationToken cancellationToken)
    {
        using var request = ApiSession.Admin(HttpMethod.Post, "/api/v1/pipeline/runs", access.AdminKey, new { from = _from, to = To });
        var response = await client.SendAsync(request, cancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    /// <summary>
    /// Polls as fast as it can until at least a random number of hours (one to all but two) have succeeded and some have not,
    /// so the kill lands at a different point from run to run; answers the states it saw last.
    /// </summary>
    private async Task<IReadOnlyList<RunState>> WaitUntilPartlyDoneAsync(HttpClient client, ProjectAccess access, CancellationToken cancellationToken)
    {
        var enough = Random.Shared.Next(1, Hours - 1);
        output.WriteLine($"Killing once {enough} of {Hours} hours have succeeded.");
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < BackfillTimeout)
        {
            var runs = await RunsAsync(client, access, cancellationToken);
            var succeeded = runs.Count(r => r.Status == "succeeded");
            Assert.True(succeeded < Hours, $"The backfill finished before the kill; the test needs a larger workload. Runs: {Describe(runs)}");
            if (succeeded >= enough)
            {
                return runs;
            }

            await Task.Delay(10, cancellationToken);
        }

        throw new TimeoutException($"No hour of the backfill succeeded within {BackfillTimeout.TotalSeconds:0} s.");
    }

    private static Task<LocalServerProcess> StartServerAsync(string dataPath, CancellationToken cancellationToken) =>
        LocalServerProcess.StartAsync(Path.Combine(AppContext.BaseDirectory, "TokenTally.Functions.dll"), dataPath, Settings, logPath: null, cancellationToken);

    private async Task<IReadOnlyList<RunState>> WaitUntilEveryHourSucceededAsync(HttpClient client, ProjectAccess access, LocalServerProcess server, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        IReadOnlyList<RunState> runs = [];
        while (waited.Elapsed < BackfillTimeout)
        {
            runs = await RunsAsync(client, access, cancellationToken);
            if (runs.Count == Hours && runs.All(r => r.Status == "succeeded" && r.Trigger == "backfill"))
            {
                return runs;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException(
            $"Not every hour's run succeeded within {BackfillTimeout.TotalSeconds:0} s. Runs: {Describe(runs)}{Environment.NewLine}Server output:{Environment.NewLine}{server.OutputTail}");
    }

    private async Task<IReadOnlyList<RunState>> RunsAsync(HttpClient client, ProjectAccess access, CancellationToken cancellationToken)
    {
        using var request = ApiSession.Admin(HttpMethod.Get, $"/api/v1/pipeline/runs?{Range()}", access.AdminKey);
        var response = await EnsureSuccessAsync(await client.SendAsync(request, cancellationToken), "list the runs");
        var runs = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return runs.EnumerateArray()
            .Select(r => new RunState(r.GetProperty("id").GetString()!, r.GetProperty("status").GetString()!.ToLowerInvariant(), r.GetProperty("trigger").GetString()!, r.GetProperty("attempts").GetInt32()))
            .ToList();
    }

    private static string Describe(IEnumerable<RunState> runs) =>
        string.Join(", ", runs.OrderBy(r => r.Id, StringComparer.Ordinal).Select(r => $"{r.Id} {r.Status} ({r.Trigger}, attempt {r.Attempts})")) is { Length: > 0 } text ? text : "(none)";

    private async Task<CostsByModel> HourlyCostsByModelAsync(HttpClient client, ProjectAccess access, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/costs?{Range()}&granularity=hour&groupBy=model");
        request.Headers.TryAddWithoutValidation("api-key", access.ProjectKey);
        var response = await EnsureSuccessAsync(await client.SendAsync(request, cancellationToken), "query the costs");
        var report = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        var points = report.GetProperty("series").EnumerateArray()
            .SelectMany(series => series.GetProperty("points").EnumerateArray().Select(p => new HourPoint(
                series.GetProperty("key").GetProperty("model").GetString()!,
                DateTimeOffset.Parse(p.GetProperty("start").GetString()!, CultureInfo.InvariantCulture),
                p.GetProperty("calls").GetInt64(),
                Totals.Of(p))))
            .Where(p => p.Calls > 0)
            .OrderBy(p => p.Model, StringComparer.Ordinal).ThenBy(p => p.Hour)
            .ToList();
        return new CostsByModel(points, Totals.Of(report.GetProperty("total")));
    }

    private static async Task<decimal> CallCostAsync(HttpClient client, ProjectAccess access, string id, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/calls/{id}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access.ProjectKey);
        var response = await EnsureSuccessAsync(await client.SendAsync(request, cancellationToken), $"read call {id}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("cost").GetProperty("totalUsd").GetDecimal();
    }

    private string Range() => $"from={Uri.EscapeDataString(_from.ToString("O"))}&to={Uri.EscapeDataString(To.ToString("O"))}";

    /// <summary>The start of the first of <see cref="Hours"/> whole hours that all ended at least an hour ago.</summary>
    private static DateTimeOffset ClosedHoursStart()
    {
        var now = DateTimeOffset.UtcNow;
        return new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(-Hours - 1);
    }

    private static async Task<HttpResponseMessage> EnsureSuccessAsync(HttpResponseMessage response, string what)
    {
        Assert.True(response.IsSuccessStatusCode, $"Could not {what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    private sealed record CallShape(string Model, long InputTokens, long OutputTokens);

    private sealed record ProjectAccess(string AdminKey, string ProjectKey);

    private sealed record RunState(string Id, string Status, string Trigger, int Attempts);

    private sealed record Totals(long Calls, long InputTokens, long OutputTokens, decimal CostUsd)
    {
        public static Totals Of(JsonElement point) => new(
            point.GetProperty("calls").GetInt64(), point.GetProperty("inputTokens").GetInt64(), point.GetProperty("outputTokens").GetInt64(), point.GetProperty("costUsd").GetDecimal());

        public static Totals Sum(IEnumerable<HourPoint> points) => points.Aggregate(
            new Totals(0, 0, 0, 0m), (sum, p) => new Totals(sum.Calls + p.Totals.Calls, sum.InputTokens + p.Totals.InputTokens, sum.OutputTokens + p.Totals.OutputTokens, sum.CostUsd + p.Totals.CostUsd));
    }

    private sealed record HourPoint(string Model, DateTimeOffset Hour, long Calls, Totals Totals);

    private sealed record CostsByModel(IReadOnlyList<HourPoint> Points, Totals Total);

    private sealed record CleanRun(CostsByModel Report, IReadOnlyDictionary<string, decimal> UnitCosts);

    /// <summary>A temporary data folder, removed with everything in it when disposed.</summary>
    private sealed class DataFolder : IAsyncDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("tokentally-kill-").FullName;

        public ValueTask DisposeAsync()
        {
            Directory.Delete(Path, recursive: true);
            return ValueTask.CompletedTask;
        }
    }
}
