using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenTally.Core.Pipeline;
using TokenTally.Core.Rollups;
using TokenTally.Functions.Demo;
using TokenTally.Functions.Ingestion;
using TokenTally.Functions.Pipeline;
using TokenTally.Functions.Projects;
using TokenTally.Functions.Tests.Infrastructure;
using TokenTally.Storage.Documents;
using TokenTally.Storage.Sqlite;

namespace TokenTally.Functions.Tests;

/// <summary>--demo on the real server: the history arrives through POST /api/v1/events, live calls follow, and restarts add nothing twice.</summary>
public sealed partial class DemoTrafficTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "tokentally-demo-" + Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheDemoBackfillsARealisticHistoryThroughTheApiAndThenStreamsLiveCalls()
    {
        var logs = new RecordingLoggerProvider();
        await using var server = new TokenTallyServer(DemoSettings(liveCallsPerSecond: "5"), services => services.AddSingleton<ILoggerProvider>(logs));
        using var client = server.Start();
        var progress = server.Services.GetRequiredService<DemoProgress>();

        await progress.Backfilled.WaitAsync(Patience, Ct);
        var backfilledAt = DateTimeOffset.UtcNow;
        var history = await StoredCallsAsync(server, to: backfilledAt);
        var priced = history.Where(c => !c.Pricing.Unpriced).ToList();

        Assert.InRange(history.Count, 300, 1_500);
        Assert.Equal(history.Count, priced.Count);
        Assert.Equal((0L, 0L, 0L), (progress.Rejected, progress.Unpriced, progress.FailedBatches));
        Assert.Equal(["code-assistant", "search", "support-bot"], history.Select(c => c.Event.Project).Distinct().Order());
        Assert.True(priced.Select(c => c.Pricing.Model).Distinct().Count() >= 8, string.Join(", ", priced.Select(c => c.Pricing.Model).Distinct()));
        Assert.True(priced.Select(c => c.Pricing.Provider).Distinct().Count() >= 4);
        Assert.Contains(priced, c => c.Pricing.Provider == "azure-openai" && c.Event.Deployment is not null);
        Assert.Equal(["control", "treatment"], history.Select(c => c.Event.Variant).OfType<string>().Distinct().Order());
        Assert.Contains(history, c => c.Event.Status == Core.Calls.CallStatus.Error && c.Event.HttpStatus is 429 or 500 or 504 or 529);
        Assert.Contains(history, c => c.Event.Usage.CachedInput > 0);
        Assert.Contains(history, c => c.Event.Usage.CacheWrite > 0);
        Assert.Contains(history, c => c.Event.Usage.Reasoning > 0);
        Assert.True(history.Select(c => c.Event.UserId).OfType<string>().Distinct().Count() >= 100);
        Assert.Contains(history, c => c.Pricing.Model == "claude-opus-4-1");
        Assert.All(history, c => Assert.InRange(c.Event.Timestamp, backfilledAt.AddDays(-2.1), backfilledAt));

        await WaitForAsync(() => progress.Live > 0);
        var live = await WaitForAsync(async () => (await StoredCallsAsync(server, backfilledAt)).Count is var n && n > 0 ? n : (int?)null);
        Assert.True(live > 0);
        Assert.Contains(logs.Messages, m => m.StartsWith("Demo back-fill done", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Messages, m => ProjectKeyPattern().IsMatch(m));
    }

    [Fact]
    public async Task TheDemoHistoryIsRolledUpSoCostsCoverEveryClosedHourOfIt()
    {
        await using var server = new TokenTallyServer(DemoSettings(liveCallsPerSecond: "0"));
        using var client = server.Start();
        await server.Services.GetRequiredService<DemoProgress>().Backfilled.WaitAsync(Patience, Ct);
        var history = await StoredCallsAsync(server);
        var first = TimeBuckets.HourStart(history.Min(c => c.Event.Timestamp));
        var end = PipelineRun.LastClosedHour(DateTimeOffset.UtcNow).AddHours(1);
        var runs = server.Services.GetRequiredService<PipelineRunStore>();
        var hours = (int)(end - first).TotalHours;

        await WaitForAsync(async () => (await runs.ListAsync(first, end, Ct)).Count(r => r.Status == RunStatus.Succeeded) == hours ? 1 : (int?)null);
        var rolledUp = new List<RollupRow>();
        await foreach (var row in server.Services.GetRequiredService<RollupStore>().ReadAsync(DemoCompany.Tenant, Cube.Total, first, end, Ct))
        {
            rolledUp.Add(row);
        }

        var closed = history.Where(c => c.Event.Timestamp < end).ToList();
        Assert.Equal(closed.Count, rolledUp.Sum(r => r.Calls));
        Assert.Equal(closed.Sum(c => c.Pricing.Cost?.Total ?? 0m), rolledUp.Sum(r => r.CostUsd));
    }

    [Fact]
    public async Task RestartsNeverStoreACallTwiceEvenWhenTheWholeHistoryIsSentAgain()
    {
        var before = DateTimeOffset.UtcNow;
        int first;
        await using (var server = new TokenTallyServer(DemoSettings(liveCallsPerSecond: "0")))
        {
            using var client = server.Start();
            await server.Services.GetRequiredService<DemoProgress>().Backfilled.WaitAsync(Patience, Ct);
            first = (await StoredCallsAsync(server, to: before)).Count;
            Assert.True(first > 300);
        }

        // A plain restart sends only what is missing since the last run.
        await using (var server = new TokenTallyServer(DemoSettings(liveCallsPerSecond: "0")))
        {
            using var client = server.Start();
            var progress = server.Services.GetRequiredService<DemoProgress>();
            await progress.Backfilled.WaitAsync(Patience, Ct);

            Assert.Equal(first, (await StoredCallsAsync(server, to: before)).Count);
            Assert.True(progress.Sent < 50, $"{progress.Sent} calls sent again");
            foreach (var project in DemoCompany.Projects)
            {
                var keys = await server.Services.GetRequiredService<ProjectStore>().ListKeysAsync(DemoCompany.Tenant, project.Name, Ct);
                Assert.Single(keys, k => k.Name == DemoTrafficService.KeyName && k.RevokedAt is null);
            }
        }

        // Forget what was sent (keep the anchor): the whole history goes out again and the ids keep it single.
        await ForgetWhatWasSentAsync();
        await using (var server = new TokenTallyServer(DemoSettings(liveCallsPerSecond: "0")))
        {
            using var client = server.Start();
            var progress = server.Services.GetRequiredService<DemoProgress>();
            await progress.Backfilled.WaitAsync(Patience, Ct);

            Assert.Equal(first, (await StoredCallsAsync(server, to: before)).Count);
            Assert.True(progress.Duplicates >= first, $"{progress.Duplicates} duplicates for {first} calls");
        }
    }

    [Fact]
    public async Task WithoutTheSwitchNothingIsGenerated()
    {
        await using var server = new TokenTallyServer(new Dictionary<string, string?> { ["TokenTally:Local:DataPath"] = _dataPath });
        using var client = server.Start();

        await Task.Delay(TimeSpan.FromSeconds(1), Ct);

        Assert.Null(await server.Services.GetRequiredService<ProjectStore>().GetAsync(DemoCompany.Tenant, "support-bot", Ct));
        Assert.False(server.Services.GetRequiredService<DemoProgress>().Backfilled.IsCompleted);
    }

    [Fact]
    public async Task AnEmptyLiveRateMeansTheHistorysOwnRate()
    {
        await using var server = new TokenTallyServer(new Dictionary<string, string?> { ["TokenTally:Local:DataPath"] = _dataPath, ["TokenTally:Demo:LiveCallsPerSecond"] = "" });
        using var client = server.Start();

        Assert.Null(server.Services.GetRequiredService<IOptions<DemoOptions>>().Value.LiveCallsPerSecond);
    }

    [Fact]
    public void TheBareDemoSwitchBecomesTheEnabledSetting()
    {
        Assert.Equal(["--TokenTally:Local:Port=8080", "--TokenTally:Demo:Enabled=true"], DemoSetup.ExpandDemoSwitch(["--TokenTally:Local:Port=8080", "--demo"]));
    }

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }

        return ValueTask.CompletedTask;
    }

    private Dictionary<string, string?> DemoSettings(string liveCallsPerSecond) => new()
    {
        ["TokenTally:Local:DataPath"] = _dataPath,
        ["TokenTally:Demo:Enabled"] = "true",
        ["TokenTally:Demo:BackfillDays"] = "2",
        ["TokenTally:Demo:BackfillCallsPerDay"] = "300",
        ["TokenTally:Demo:LiveCallsPerSecond"] = liveCallsPerSecond,
    };

    /// <summary>Every demo call stored with a timestamp in [from, to) (default: the last three days up to now).</summary>
    private static async Task<List<StoredCall>> StoredCallsAsync(TokenTallyServer server, DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        var calls = server.Services.GetRequiredService<CallRecordStore>();
        var (start, end) = (from ?? DateTimeOffset.UtcNow.AddDays(-3), to ?? DateTimeOffset.UtcNow.AddMinutes(5));
        var found = new List<StoredCall>();
        for (var hour = new DateTimeOffset(start.Year, start.Month, start.Day, start.Hour, 0, 0, TimeSpan.Zero); hour < end; hour = hour.AddHours(1))
        {
            await foreach (var call in calls.ReadHourAsync(DemoCompany.Tenant, hour, Ct))
            {
                if (call.Event.Timestamp >= start && call.Event.Timestamp < end)
                {
                    found.Add(call);
                }
            }
        }

        return found;
    }

    private async Task ForgetWhatWasSentAsync()
    {
        var store = new SqliteDocumentStore(Path.Combine(_dataPath, "tokentally.db"), TimeProvider.System);
        var id = DemoTrafficService.MarkerId(42);
        var marker = (await store.GetAsync(DocumentContainer.Config, DemoTrafficService.MarkerPartition, id, Ct))!.Data;
        marker.Remove("coveredFrom");
        marker.Remove("coveredThrough");
        await store.UpsertAsync(DocumentContainer.Config, new DocumentWrite(DemoTrafficService.MarkerPartition, id, marker), WriteCondition.None, Ct);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        await WaitForAsync(() => Task.FromResult(condition() ? (int?)1 : null));
    }

    private static async Task<int> WaitForAsync(Func<Task<int?>> probe)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, "timed out");
            await Task.Delay(200, Ct);
        }
    }

    [GeneratedRegex("tt_[0-9a-f]{12}_")]
    private static partial Regex ProjectKeyPattern();

    private sealed class RecordingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Recorder(Messages);

        public void Dispose()
        {
        }

        private sealed class Recorder(ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue(formatter(state, exception) + (exception is null ? string.Empty : " " + exception));
        }
    }
}
