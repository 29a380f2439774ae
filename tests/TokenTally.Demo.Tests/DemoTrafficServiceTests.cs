using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Messaging.EventHubs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TokenTally.Application.Calls;
using TokenTally.Application.Ingestion;
using TokenTally.Core.Calls;
using TokenTally.Demo.EventHubs;
using TokenTally.Demo.Tests.Infrastructure;
using TokenTally.Testing;

namespace TokenTally.Demo.Tests;

/// <summary>
/// The demo against local mode, over HTTP as <c>./run.sh --demo</c> runs it: the history arrives through the public API and
/// is rolled up at once, the keys for the walkthrough are written for their owner only, restarts store no call twice, and
/// live traffic continues the history.
/// </summary>
public sealed class DemoTrafficServiceTests
{
    private const int Seed = 42;
    private const int CallsPerDay = 300;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 300_000)]
    public async Task TheHistoryArrivesThroughTheApiAndTheKeysForTheWalkthroughAreWrittenForTheirOwnerOnly()
    {
        await using var server = await LocalModeApp.StartAsync();
        await using var demo = await DemoRun.StartAsync(server.Address, History(server));
        await demo.Progress.Backfilled.WaitAsync(Patience, Ct);

        var marker = await ReadMarkerAsync(server);
        var expected = Traffic(marker).Generate(marker.CoveredFrom!.Value, marker.CoveredThrough!.Value).ToList();
        var stored = await StoredCallsAsync(server, marker.CoveredFrom.Value, marker.CoveredThrough.Value);
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Select(c => c.Id).Order(StringComparer.Ordinal), stored.Select(c => c.Event.Id).Order(StringComparer.Ordinal));
        Assert.Equal((expected.Count, expected.Count, 0L, 0L, 0L), (demo.Progress.Sent, demo.Progress.Created, demo.Progress.Rejected, demo.Progress.Unpriced, demo.Progress.FailedBatches));
        Assert.All(stored, c => Assert.False(c.Pricing.Unpriced, $"{c.Event.Id} ({c.Event.Provider} {c.Event.Model ?? c.Event.Deployment}) is unpriced: {c.Pricing.UnpricedReason}"));
        Assert.Equal(DemoCompany.Projects.Select(p => p.Name).Order(), stored.Select(c => c.Event.Project).Distinct().Order());

        var keysFile = Path.Combine(server.DataPath, DemoTrafficService.KeysFile);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keysFile));
        }

        var keys = await ReadKeysAsync(server);
        Assert.Equal(DemoCompany.Tenant, keys.Tenant);
        Assert.Equal(DemoCompany.Projects.Select(p => p.Name).Order(), keys.Projects.Keys.Order());
        var everyProject = await CostsByProjectAsync(server, keys.Reader);
        Assert.Equal(HttpStatusCode.OK, everyProject.StatusCode);
        foreach (var (project, key) in keys.Projects)
        {
            var own = stored.First(c => c.Event.Project == project);
            var other = stored.First(c => c.Event.Project != project);
            Assert.Equal(HttpStatusCode.OK, (await GetAsync(server, $"/api/v1/calls/{own.Event.Id}", key)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(server, $"/api/v1/calls/{other.Event.Id}", key)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await CostsByProjectAsync(server, key, $"&project={other.Event.Project}")).StatusCode);
        }

        var secrets = keys.Projects.Values.Append(keys.Reader).Append(server.AdminKey).ToList();
        Assert.DoesNotContain(demo.Logs.Lines, line => secrets.Any(secret => line.Contains(secret, StringComparison.Ordinal)));
    }

    [Fact(Timeout = 300_000)]
    public async Task TheBackfillItStartsRollsUpTheHistorySoCostsCoverEveryClosedHourWithCalls()
    {
        await using var server = await LocalModeApp.StartAsync();
        await using var demo = await DemoRun.StartAsync(server.Address, History(server));
        await demo.Progress.Backfilled.WaitAsync(Patience, Ct);
        var marker = await ReadMarkerAsync(server);
        var keys = await ReadKeysAsync(server);

        await WaitForTheBackfillAsync(server);
        var from = HourStart(marker.CoveredFrom!.Value);
        var closed = HourStart(marker.CoveredThrough!.Value);
        var stored = await StoredCallsAsync(server, from, closed);
        var response = await GetAsync(server, $"/api/v1/costs?from={Iso(from)}&to={Iso(closed)}&granularity=hour", keys.Reader);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        var points = report.GetProperty("series").EnumerateArray().SelectMany(s => s.GetProperty("points").EnumerateArray())
            .Select(p => (Hour: DateTimeOffset.Parse(p.GetProperty("start").GetString()!, CultureInfo.InvariantCulture), Calls: p.GetProperty("calls").GetInt64(), Cost: p.GetProperty("costUsd").GetDecimal()))
            .Where(p => p.Calls > 0)
            .OrderBy(p => p.Hour)
            .ToList();
        var hours = stored.GroupBy(c => HourStart(c.Event.Timestamp))
            .Select(h => (Hour: h.Key, Calls: (long)h.Count(), Cost: h.Sum(c => c.Pricing.Cost!.Total)))
            .OrderBy(h => h.Hour)
            .ToList();
        Assert.True(hours.Count > 10, $"Only {hours.Count} hours of history have calls.");
        Assert.Equal(hours, points);
    }

    [Fact(Timeout = 300_000)]
    public async Task TheRunawayAgentCrossesTheDemoBudgetAndItsAlertIsFiringOnceTheHistoryIsRolledUp()
    {
        await using var server = await LocalModeApp.StartAsync();
        await using var demo = await DemoRun.StartAsync(server.Address, History(server));
        await demo.Progress.Backfilled.WaitAsync(Patience, Ct);
        var marker = await ReadMarkerAsync(server);
        var keys = await ReadKeysAsync(server);
        await WaitForTheBackfillAsync(server);

        var expected = DemoCompany.IncidentBudget(CallsPerDay);
        var budgets = await (await GetAsync(server, "/api/v1/budgets", keys.Reader)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var budget = Assert.Single(budgets.EnumerateArray());
        Assert.Equal(expected.Name, budget.GetProperty("name").GetString());
        Assert.Equal(expected.AmountUsd, budget.GetProperty("amountUsd").GetDecimal());
        Assert.Equal(DemoCompany.RunawayService, Assert.Single(budget.GetProperty("scope").GetProperty("service").EnumerateArray()).GetString());
        Assert.Equal(("day", "UTC"), (budget.GetProperty("period").GetProperty("kind").GetString(), budget.GetProperty("period").GetProperty("timeZone").GetString()));

        // The incident's two hours may straddle midnight (UTC): its alerts belong to the day or days holding them.
        var traffic = Traffic(marker);
        var incidentDays = new[] { traffic.SpikeStart, traffic.SpikeEnd.AddTicks(-1) }.Select(t => t.UtcDateTime.Date).Distinct().ToList();
        var rule = $"budget:{budget.GetProperty("id").GetString()}";
        var response = await GetAsync(server, $"/api/v1/alerts?state=firing&rule={Uri.EscapeDataString(rule)}", keys.Reader);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var firing = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("items").EnumerateArray()
            .Select(a => (Period: DateTimeOffset.Parse(a.GetProperty("period").GetString()!, CultureInfo.InvariantCulture).UtcDateTime.Date, Threshold: a.GetProperty("threshold").GetDecimal(), Value: a.GetProperty("lastValue").GetDecimal()))
            .ToList();

        Assert.Contains(firing, a => incidentDays.Contains(a.Period) && a.Threshold == 50m);
        Assert.All(firing, a => Assert.True(a.Value >= a.Threshold, $"{a.Period:yyyy-MM-dd} fires at {a.Threshold} % with {a.Value} %."));
        Assert.Contains(demo.Logs.Lines, line => line.Contains($"Demo budget: {expected.Name}", StringComparison.Ordinal));
    }

    [Fact(Timeout = 300_000)]
    public async Task ARestartSendsOnlyWhatIsMissingAndAHistorySentAgainStoresNoCallTwice()
    {
        await using var server = await LocalModeApp.StartAsync();
        await RunUntilBackfilledAsync(server);
        var first = await ReadMarkerAsync(server);
        var traffic = Traffic(first);

        // A plain restart sends only the calls made since the last run ended.
        var restart = await RunUntilBackfilledAsync(server);
        var second = await ReadMarkerAsync(server);
        var missing = traffic.Generate(first.CoveredThrough!.Value, second.CoveredThrough!.Value).Count();
        Assert.Equal((missing, missing, 0L), (restart.Sent, restart.Created, restart.Duplicates));
        Assert.Equal(traffic.Generate(first.CoveredFrom!.Value, second.CoveredThrough.Value).Count(), (await StoredCallsAsync(server, first.CoveredFrom.Value, second.CoveredThrough.Value)).Count);
        foreach (var project in DemoCompany.Projects)
        {
            var listed = await GetAdminAsync<List<KeyView>>(server, $"/api/v1/admin/projects/{DemoCompany.Tenant}/{project.Name}/keys");
            Assert.Single(listed, k => k.Name == DemoTrafficService.KeyName && k.RevokedAt is null);
        }

        // Forget what was sent (keep the anchor): the whole history goes out again, and the ids keep every call single.
        var storedBefore = (await StoredCallsAsync(server, second.CoveredFrom!.Value, second.CoveredThrough.Value)).Count;
        await WriteMarkerAsync(server, second with { CoveredFrom = null, CoveredThrough = null });
        var resent = await RunUntilBackfilledAsync(server);
        var third = await ReadMarkerAsync(server);
        var missingSince = traffic.Generate(second.CoveredThrough.Value, third.CoveredThrough!.Value).Count();

        // An unchanged call sent again is a duplicate: the ledger writes nothing.
        Assert.Equal((storedBefore + missingSince, missingSince, storedBefore, 0L), (resent.Sent, resent.Created, resent.Duplicates, resent.Updated));
        Assert.Equal(traffic.Generate(third.CoveredFrom!.Value, third.CoveredThrough.Value).Count(), (await StoredCallsAsync(server, third.CoveredFrom.Value, third.CoveredThrough.Value)).Count);
    }

    [Fact(Timeout = 300_000)]
    public async Task AnEmptyLiveRateContinuesTheHistoryAtItsOwnRate()
    {
        await using var server = await LocalModeApp.StartAsync();
        var options = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["TokenTally:Demo:DataPath"] = server.DataPath,
                ["TokenTally:Demo:BackfillDays"] = "0",
                ["TokenTally:Demo:BackfillCallsPerDay"] = "1000000",
                ["TokenTally:Demo:LiveCallsPerSecond"] = "",
            })
            .Build()
            .GetSection(DemoOptions.Section).Get<DemoOptions>()!;
        Assert.Null(options.LiveCallsPerSecond);

        // The demo's clock is fake (the server's is not): each step of it is a tick of live traffic.
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var demo = await DemoRun.StartAsync(server.Address, options, time);
        await demo.Progress.Backfilled.WaitAsync(Patience, Ct);
        await Eventually.HoldsAsync(
            () =>
            {
                time.Advance(TimeSpan.FromSeconds(1));
                return demo.Progress.Live > 0;
            },
            Patience,
            () => "No live call was sent.",
            TimeSpan.FromMilliseconds(20));
        time.Advance(TimeSpan.FromMinutes(1));
        var end = time.GetUtcNow();

        var marker = await ReadMarkerAsync(server);
        var expected = new DemoTraffic(options.Seed, marker.Anchor, options.BackfillCallsPerDay).Generate(marker.Anchor, end).Select(c => c.Id).Order(StringComparer.Ordinal).ToList();
        await Eventually.HoldsAsync(() => demo.Progress.Live >= expected.Count, Patience, () => $"{demo.Progress.Live} of {expected.Count} live calls sent.");
        var stored = await StoredCallsAsync(server, marker.Anchor, end);

        Assert.True(expected.Count > 30, $"Only {expected.Count} calls in the first minute and more of live traffic.");
        Assert.Equal(expected, stored.Select(c => c.Event.Id).Order(StringComparer.Ordinal));
        Assert.Equal(expected.Count, demo.Progress.Live);
    }

    [Fact(Timeout = 300_000)]
    public async Task WithoutAnAdminKeyInTheDataFolderTheDemoStopsWithAClearMessage()
    {
        await using var server = await LocalModeApp.StartAsync();
        var elsewhere = Directory.CreateTempSubdirectory("tokentally-demo-elsewhere-").FullName;
        try
        {
            var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
            await using var demo = await DemoRun.StartAsync(server.Address, History(server, elsewhere), time);

            // The demo waits a minute of its clock for local mode to write the key.
            await Eventually.HoldsAsync(
                () =>
                {
                    time.Advance(TimeSpan.FromSeconds(1));
                    return demo.Progress.Backfilled.IsCompleted;
                },
                Patience,
                () => "The demo still waits for the admin key.",
                TimeSpan.FromMilliseconds(5));

            var error = await Assert.ThrowsAsync<FileNotFoundException>(() => demo.Progress.Backfilled);
            Assert.Equal($"No admin key at {Path.Combine(elsewhere, "admin-key")}: is local mode running on this data folder (TokenTally:Local:DataPath)?", error.Message);
            Assert.Contains(demo.Logs.Lines, line => line.StartsWith("Error: Demo traffic stopped", StringComparison.Ordinal) && line.Contains(error.Message, StringComparison.Ordinal));
            Assert.Null(await server.Services.GetRequiredService<Application.Projects.ProjectStore>().GetAsync(DemoCompany.Tenant, DemoCompany.Projects[0].Name, Ct));
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task PublishedToAnEventHubTheHistoryIsWhatTheEventHubsIntakeStoresAndItsHoursAreRolledUp()
    {
        await using var server = await LocalModeApp.StartAsync();
        var (options, producer, sink) = ThroughAnEventHub(server);
        await using var demo = await DemoRun.StartAsync(server.Address, options, eventHub: sink);
        await demo.Progress.Backfilled.WaitAsync(Patience, Ct);
        var marker = await ReadMarkerAsync(server);
        var expected = Traffic(marker).Generate(marker.CoveredFrom!.Value, marker.CoveredThrough!.Value).ToList();

        Assert.Equal((expected.Count, 0L, 0L), (demo.Progress.Sent, demo.Progress.Created, demo.Progress.FailedBatches));
        Assert.Empty(await StoredCallsAsync(server, marker.CoveredFrom.Value, marker.CoveredThrough.Value));
        Assert.True(producer.Sent.Count > 3, $"{expected.Count} calls went out in {producer.Sent.Count} batches.");
        Assert.All(producer.Sent, batch => Assert.True(batch.Sum(RecordingProducer.BodyBytes) <= MaxBatchBytes));

        // Each batch as the IngestEvents function hands it to the intake: the body as text, the application properties.
        var intake = server.Services.GetRequiredService<EventHubIntake>();
        var sequence = 0L;
        foreach (var batch in producer.Sent)
        {
            var events = batch.Select(e => new EventHubEvent(e.EventBody.ToString(), e.Properties.ToDictionary(p => p.Key, p => p.Value.ToString()!), null, sequence++, null)).ToList();
            var result = await intake.IngestAsync(new EventHubBatch(HubName, "0", events), Ct);
            Assert.Equal((events.Count, events.Count, 0), (result.Events, result.Accepted, result.DeadLettered));
        }

        var stored = await StoredCallsAsync(server, marker.CoveredFrom.Value, marker.CoveredThrough.Value);
        Assert.Equal(expected.Select(c => c.Id).Order(StringComparer.Ordinal), stored.Select(c => c.Event.Id).Order(StringComparer.Ordinal));
        Assert.Equal(expected.Select(c => (c.Id, c.Project)).Order(), stored.Select(c => (c.Event.Id!, c.Event.Project!)).Order());
        Assert.Contains(demo.Logs.Lines, line => line.Contains($"calls published to event hub {HubName}", StringComparison.Ordinal));
        await WaitForTheBackfillAsync(server);
    }

    [Fact(Timeout = 300_000)]
    public async Task AHubThatIsUnavailableForNowLeavesTheHistoryToBeSentAgain()
    {
        await using var server = await LocalModeApp.StartAsync();
        var (options, producer, sink) = ThroughAnEventHub(server);
        producer.FailSendsWith = new EventHubsException(isTransient: true, HubName, "The service is busy.", EventHubsException.FailureReason.ServiceBusy);
        await using var demo = await DemoRun.StartAsync(server.Address, options, eventHub: sink);
        await demo.Progress.Backfilled.WaitAsync(Patience, Ct);

        var marker = await ReadMarkerAsync(server);
        Assert.Equal(marker.CoveredFrom, marker.CoveredThrough);
        Assert.Equal(0, demo.Progress.Sent);
        Assert.True(demo.Progress.FailedBatches > 0);
        Assert.Contains(demo.Logs.Lines, line => line.StartsWith("Warning: Demo calls of project", StringComparison.Ordinal) && line.Contains("sent again later", StringComparison.Ordinal));
    }

    /// <summary>Two days of history at 300 calls a day, then no live traffic: the demo stops once the history is sent.</summary>
    private static DemoOptions History(LocalModeApp server, string? dataPath = null) => new()
    {
        ServerUrl = server.Address.ToString(),
        DataPath = dataPath ?? server.DataPath,
        Seed = Seed,
        BackfillDays = 2,
        BackfillCallsPerDay = CallsPerDay,
        LiveCallsPerSecond = 0,
    };

    private const string HubName = "llm-calls";
    private const int MaxBatchBytes = 64 * 1024;

    private static (DemoOptions Options, RecordingProducer Producer, DemoEventHubSink Sink) ThroughAnEventHub(LocalModeApp server)
    {
        var options = History(server);
        options.EventHubs.FullyQualifiedNamespace = "tokentally-test.servicebus.windows.net";
        options.EventHubs.EventHubName = HubName;
        var producer = new RecordingProducer(MaxBatchBytes);
        return (options, producer, new DemoEventHubSink(new EventBatchPublisher(producer), Options.Create(options)));
    }

    [Fact(Timeout = 300_000)]
    public async Task TheRunawayAgentsHourIsACostAnomalyWithClaudeOpusAndTheCodeReviewServiceAsItsTopContributors()
    {
        await using var server = await LocalModeApp.StartAsync();
        var options = History(server);

        // Four days: enough hours before the runaway agent, 36 hours before the anchor, for the detector to have learned the tenant.
        options.BackfillDays = 4;
        await using var demo = await DemoRun.StartAsync(server.Address, options);
        await demo.Progress.Backfilled.WaitAsync(Patience, Ct);
        var spike = Traffic(await ReadMarkerAsync(server)).SpikeStart;
        var keys = await ReadKeysAsync(server);

        await WaitForTheBackfillAsync(server);
        var response = await GetAsync(server, $"/api/v1/anomalies?series=cost%7Ctenant&from={Iso(spike)}&to={Iso(spike.AddHours(2))}", keys.Reader);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var anomaly = Assert.Single((await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("items").EnumerateArray());
        var top = anomaly.GetProperty("contributors").EnumerateArray()
            .GroupBy(c => c.GetProperty("dimension").GetString()!)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(c => c.GetProperty("excessUsd").GetDecimal()).First());

        Assert.Equal(spike, anomaly.GetProperty("hour").GetDateTimeOffset());
        Assert.True(anomaly.GetProperty("observed").GetDouble() > anomaly.GetProperty("upper").GetDouble(), anomaly.ToString());
        Assert.Equal("claude-opus-4-1", top["model"].GetProperty("value").GetString());
        Assert.Equal(DemoCompany.RunawayService, top["service"].GetProperty("value").GetString());
        Assert.True(top["model"].GetProperty("share").GetDouble() > 0.9, anomaly.ToString());
    }

    private static async Task<DemoProgress> RunUntilBackfilledAsync(LocalModeApp server)
    {
        await using var demo = await DemoRun.StartAsync(server.Address, History(server));
        await demo.Progress.Backfilled.WaitAsync(Patience, Ct);
        return demo.Progress;
    }

    private static DemoTraffic Traffic(DemoMarker marker) => new(Seed, marker.Anchor, CallsPerDay);

    private static string MarkerFile(LocalModeApp server) => Path.Combine(server.DataPath, $"demo-state-seed-{Seed}.json");

    /// <summary>The keys the demo wrote for its projects and reader.</summary>
    private static async Task<DemoKeys> ReadKeysAsync(LocalModeApp server) =>
        JsonSerializer.Deserialize<DemoKeys>(await File.ReadAllTextAsync(Path.Combine(server.DataPath, DemoTrafficService.KeysFile), Ct), Json)!;

    private static async Task<DemoMarker> ReadMarkerAsync(LocalModeApp server) =>
        JsonSerializer.Deserialize<DemoMarker>(await File.ReadAllTextAsync(MarkerFile(server), Ct), Json)!;

    private static async Task WriteMarkerAsync(LocalModeApp server, DemoMarker marker) =>
        await File.WriteAllTextAsync(MarkerFile(server), JsonSerializer.Serialize(marker, Json), Ct);

    /// <summary>Every demo call stored with a timestamp in [from, to), read from the ledger behind the API.</summary>
    private static async Task<List<StoredCall>> StoredCallsAsync(LocalModeApp server, DateTimeOffset from, DateTimeOffset to)
    {
        var calls = server.Services.GetRequiredService<CallRecordStore>();
        var found = new List<StoredCall>();
        for (var hour = HourStart(from); hour < to; hour = hour.AddHours(1))
        {
            await foreach (var call in calls.ReadHourAsync(DemoCompany.Tenant, hour, Ct))
            {
                if (call.Event.Timestamp >= from && call.Event.Timestamp < to)
                {
                    found.Add(call);
                }
            }
        }

        return found;
    }

    /// <summary>Waits until the backfill the demo started has completed.</summary>
    private static async Task WaitForTheBackfillAsync(LocalModeApp server)
    {
        var backfills = new List<(string Id, string Status)>();
        await Eventually.HoldsAsync(
            async () =>
            {
                var runs = await GetAdminAsync<JsonElement>(server, "/api/v1/pipeline/runs");
                backfills = runs.EnumerateArray().Where(r => r.GetProperty("kind").GetString() == "backfill")
                    .Select(r => (r.GetProperty("id").GetString()!, r.GetProperty("status").GetString()!)).ToList();
                return backfills.Count > 0 && backfills.All(b => b.Status is "completed" or "failed");
            },
            Patience,
            () => $"Backfills: {string.Join(", ", backfills)}");
        Assert.Equal("completed", Assert.Single(backfills).Status);
    }

    private static Task<HttpResponseMessage> CostsByProjectAsync(LocalModeApp server, string key, string filter = "") =>
        GetAsync(server, $"/api/v1/costs?groupBy=project{filter}", key);

    private static async Task<HttpResponseMessage> GetAsync(LocalModeApp server, string path, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("api-key", key);
        return await server.Client.SendAsync(request, Ct);
    }

    private static async Task<T> GetAdminAsync<T>(LocalModeApp server, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", server.AdminKey);
        var response = await server.Client.SendAsync(request, Ct);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        return (await response.Content.ReadFromJsonAsync<T>(Json, Ct))!;
    }

    private static DateTimeOffset HourStart(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerHour), TimeSpan.Zero);

    private static string Iso(DateTimeOffset time) => Uri.EscapeDataString(time.ToString("O", CultureInfo.InvariantCulture));

    /// <summary>demo-keys.json.</summary>
    private sealed record DemoKeys(string Tenant, string Reader, Dictionary<string, string> Projects);
}
