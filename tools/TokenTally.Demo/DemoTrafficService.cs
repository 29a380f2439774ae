using System.Net;
using System.Text.Json;
using Azure.Messaging.EventHubs;
using Microsoft.Extensions.Options;
using TokenTally.Demo.EventHubs;

namespace TokenTally.Demo;

/// <summary>
/// What the demo has sent (in the data folder, demo-state-seed-N.json): its anchor (first start), which the story's dates
/// hang on, and the span of time whose calls were sent, so a restart sends only what is missing. The ids would make a full
/// re-send harmless too, but it would cost minutes.
/// </summary>
internal sealed record DemoMarker(int Seed, DateTimeOffset Anchor, DateTimeOffset? CoveredFrom, DateTimeOffset? CoveredThrough);

/// <summary>
/// <c>./run.sh --demo</c>: creates tenant <c>demo</c> with three projects through the admin API, issues each a key (ingest and
/// read:project) and the tenant a reader key (read:tenant), prints them and writes them to demo-keys.json beside the admin
/// key (mode 600), back-fills the history through <c>POST /api/v1/events</c>, starts a backfill so that its hours are rolled
/// up at once, then streams live traffic until stopped. With an Event Hub configured (<paramref name="eventHub"/>) the calls
/// are published there instead, for a deployed app to ingest through its real intake; setup and the backfill stay on HTTP.
/// </summary>
internal sealed partial class DemoTrafficService(
    DemoClient client,
    IOptions<DemoOptions> options,
    IConfiguration configuration,
    DemoProgress progress,
    TimeProvider time,
    ILogger<DemoTrafficService> logger,
    DemoEventHubSink? eventHub = null) : BackgroundService
{
    public const string KeyName = "demo-traffic";
    public const string ReaderKeyName = "demo-reader";
    public const string KeysFile = "demo-keys.json";
    private const int BatchSize = 500;
    private const int Attempts = 5;
    private static readonly TimeSpan BackfillSlice = TimeSpan.FromHours(6);
    private static readonly TimeSpan LiveTick = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SaveEvery = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan ReportEvery = TimeSpan.FromMinutes(15);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private string DataPath => Path.GetFullPath(options.Value.DataPath!);

    private TimeSpan Retention => TimeSpan.FromDays(configuration.GetValue("TokenTally:Ledger:RetentionDays", 30));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var demo = options.Value;
        try
        {
            await client.WaitForServerAsync(TimeSpan.FromMinutes(2), time, stoppingToken);
            client.AdminKey = await ReadAdminKeyAsync(stoppingToken);
            var marker = await LoadMarkerAsync(demo.Seed, stoppingToken);
            var traffic = new DemoTraffic(demo.Seed, marker.Anchor, demo.BackfillCallsPerDay);
            var keys = await PrepareProjectsAsync(stoppingToken);
            var budget = DemoCompany.IncidentBudget(demo.BackfillCallsPerDay);
            var budgetChanged = await client.EnsureBudgetAsync(DemoCompany.Tenant, budget, stoppingToken);
            LogBudget(logger, budget.Name, budget.AmountUsd);
            var (backfilled, liveFrom) = await BackfillAsync(traffic, marker, keys, budgetChanged, stoppingToken);
            progress.BackfillDone();
            await StreamLiveAsync(traffic, backfilled, liveFrom, keys, stoppingToken);
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the marker says where to resume.
        }
        catch (Exception error)
        {
            LogFailed(logger, error);
            progress.BackfillFailed(error);
        }
    }

    /// <summary>Local mode writes the admin key at its first start; the demo may start first, so it waits for the file.</summary>
    private async Task<string> ReadAdminKeyAsync(CancellationToken cancellationToken)
    {
        var file = Path.Combine(DataPath, "admin-key");
        for (var waited = TimeSpan.Zero; !File.Exists(file); waited += TimeSpan.FromMilliseconds(250))
        {
            if (waited > TimeSpan.FromMinutes(1))
            {
                throw new FileNotFoundException($"No admin key at {file}: is local mode running on this data folder (TokenTally:Local:DataPath)?", file);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken);
        }

        return (await File.ReadAllTextAsync(file, cancellationToken)).Trim();
    }

    private string MarkerFile(int seed) => Path.Combine(DataPath, $"demo-state-seed-{seed}.json");

    private async Task<DemoMarker> LoadMarkerAsync(int seed, CancellationToken cancellationToken)
    {
        var file = MarkerFile(seed);
        if (File.Exists(file) && JsonSerializer.Deserialize<DemoMarker>(await File.ReadAllTextAsync(file, cancellationToken), Json) is { } existing)
        {
            return existing;
        }

        var created = new DemoMarker(seed, time.GetUtcNow(), null, null);
        await SaveMarkerAsync(created, cancellationToken);
        return created;
    }

    private async Task SaveMarkerAsync(DemoMarker marker, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(DataPath);
        var file = MarkerFile(marker.Seed);
        await File.WriteAllTextAsync(file + ".tmp", JsonSerializer.Serialize(marker, Json), cancellationToken);
        File.Move(file + ".tmp", file, overwrite: true);
    }

    /// <summary>
    /// Creates the projects (or brings their deployment mapping up to date), replaces this demo's keys, and makes them known:
    /// printed, and written to demo-keys.json (readable by its owner only) so the walkthrough can query the demo.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, string>> PrepareProjectsAsync(CancellationToken cancellationToken)
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var project in DemoCompany.Projects)
        {
            await client.EnsureProjectAsync(DemoCompany.Tenant, project, cancellationToken);
            keys[project.Name] = await client.ReplaceKeyAsync(DemoCompany.Tenant, project.Name, KeyName, ["ingest", "read:project"], cancellationToken);
        }

        var reader = await client.ReplaceKeyAsync(DemoCompany.Tenant, DemoCompany.Projects[0].Name, ReaderKeyName, ["read:tenant"], cancellationToken);
        var file = Path.Combine(DataPath, KeysFile);
        var content = JsonSerializer.Serialize(new { tenant = DemoCompany.Tenant, reader, projects = keys }, Json);
        var secret = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            secret.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var stream = new FileStream(file, secret))
        {
            await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(content), cancellationToken);
        }

        await Console.Out.WriteLineAsync($"""

            Demo keys (also in {file}, readable by you only):
              reader, every project of tenant {DemoCompany.Tenant} (read:tenant): {reader}
            {string.Join(Environment.NewLine, keys.Select(k => $"  {k.Key} (ingest, read:project): {k.Value}"))}

            """);
        return keys;
    }

    /// <summary>
    /// Sends every call of the wanted history that was not sent before, oldest first, in six-hour slices, then starts a
    /// backfill of those hours (of the whole history when the budget is new or changed, so that its checks see the incident); returns
    /// the marker and the time live traffic takes over from.
    /// </summary>
    private async Task<(DemoMarker Marker, DateTimeOffset LiveFrom)> BackfillAsync(DemoTraffic traffic, DemoMarker marker, IReadOnlyDictionary<string, string> keys, bool budgetChanged, CancellationToken cancellationToken)
    {
        var sentBefore = marker.CoveredFrom;
        var now = time.GetUtcNow();
        var oldestKept = now - Retention + TimeSpan.FromHours(1);
        var from = Min(Max(marker.Anchor - TimeSpan.FromDays(options.Value.BackfillDays), oldestKept), now);
        var ranges = new List<(DateTimeOffset From, DateTimeOffset To, bool Forward)>();
        if (marker is { CoveredFrom: { } coveredFrom, CoveredThrough: { } coveredThrough } && coveredThrough >= from)
        {
            if (from < coveredFrom)
            {
                ranges.Add((from, coveredFrom, false));
            }

            ranges.Add((Max(coveredThrough, from), now, true));
        }
        else
        {
            marker = marker with { CoveredFrom = from, CoveredThrough = from };
            ranges.Add((from, now, true));
        }

        var expected = ranges.Sum(r => traffic.ExpectedCalls(r.From, r.To));
        var missing = TimeSpan.FromTicks(ranges.Sum(r => Math.Max(0, (r.To - r.From).Ticks)));
        LogBackfillStarting(logger, DemoCompany.Tenant, string.Join(", ", DemoCompany.Projects.Select(p => p.Name)), Describe(missing), expected);
        var started = time.GetTimestamp();
        var (sent, created, duplicates) = (progress.Sent, progress.Created, progress.Duplicates);
        var intact = true;
        foreach (var range in ranges)
        {
            for (var start = range.From; start < range.To; start += BackfillSlice)
            {
                var end = Min(start + BackfillSlice, range.To);
                intact &= await SendAsync(keys, traffic.Generate(start, end).ToList(), live: false, cancellationToken);
                if (intact && range.Forward)
                {
                    marker = marker with { CoveredThrough = end };
                    await SaveMarkerAsync(marker, cancellationToken);
                }
            }

            if (intact && !range.Forward)
            {
                marker = marker with { CoveredFrom = range.From };
                await SaveMarkerAsync(marker, cancellationToken);
            }
        }

        if (eventHub is null)
        {
            LogBackfillDone(logger, progress.Sent - sent, progress.Created - created, progress.Duplicates - duplicates, time.GetElapsedTime(started).TotalSeconds);
        }
        else
        {
            LogBackfillPublished(logger, progress.Sent - sent, eventHub.EventHubName, time.GetElapsedTime(started).TotalSeconds);
        }

        // The ledger marks the hours it stored, and the next hourly run would roll them up; a backfill does it now. Calls still
        // on their way through the hub mark their hours when they arrive, and the next hourly run takes those.
        if ((eventHub is null ? progress.Created > created : progress.Sent > sent) || budgetChanged)
        {
            var rolledUpFrom = HourStart(budgetChanged && sentBefore is { } earlier ? Min(earlier, ranges.Min(r => r.From)) : ranges.Min(r => r.From));
            var rolledUpTo = HourStart(now).AddHours(1);
            var runId = await client.StartBackfillAsync(rolledUpFrom, rolledUpTo, cancellationToken);
            LogBackfillStarted(logger, runId, (int)(rolledUpTo - rolledUpFrom).TotalHours);
        }

        return (intact ? marker with { CoveredThrough = now } : marker, now);
    }

    /// <summary>
    /// Every second, sends the calls whose time has come; a window that fails is generated and sent
    /// again at the next tick. The marker follows only when the history before is complete.
    /// </summary>
    private async Task StreamLiveAsync(DemoTraffic traffic, DemoMarker marker, DateTimeOffset cursor, IReadOnlyDictionary<string, string> keys, CancellationToken cancellationToken)
    {
        var rate = options.Value.LiveCallsPerSecond;
        if (rate == 0)
        {
            LogLiveOff(logger);
            return;
        }

        var volume = rate is { } perSecond ? perSecond * 86_400 / traffic.CallsPerDay : 1;
        var contiguous = marker.CoveredThrough == cursor;
        LogLiveStarting(logger, traffic.ExpectedCalls(cursor, cursor.AddHours(1)) * volume);
        var (saved, reported, liveAtReport) = (cursor, cursor, progress.Live);
        using var timer = new PeriodicTimer(LiveTick, time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            var now = time.GetUtcNow();
            var calls = traffic.Generate(cursor, now, volume).ToList();
            try
            {
                if (calls.Count > 0 && !await SendAsync(keys, calls, live: true, cancellationToken))
                {
                    continue;
                }
            }
            catch (HttpRequestException error) when (!cancellationToken.IsCancellationRequested)
            {
                LogLiveUnreachable(logger, error.Message);
                continue;
            }

            cursor = now;
            if (contiguous && now - saved >= SaveEvery)
            {
                marker = marker with { CoveredThrough = cursor };
                await SaveMarkerAsync(marker, cancellationToken);
                saved = now;
            }

            if (now - reported >= ReportEvery)
            {
                LogLiveProgress(logger, progress.Live - liveAtReport, (now - reported).TotalMinutes);
                (reported, liveAtReport) = (now, progress.Live);
            }
        }
    }

    /// <summary>Posts calls with their project's key in batches; false when a batch should be tried again later.</summary>
    private async Task<bool> SendAsync(IReadOnlyDictionary<string, string> keys, IReadOnlyList<DemoCall> calls, bool live, CancellationToken cancellationToken)
    {
        var delivered = true;
        foreach (var project in calls.GroupBy(c => c.Project))
        {
            if (eventHub is not null)
            {
                delivered &= await PublishAsync(eventHub, keys[project.Key], project.Key, project.ToList(), live, cancellationToken);
                continue;
            }

            foreach (var batch in project.Chunk(BatchSize))
            {
                delivered &= await PostBatchAsync(keys, project.Key, batch, live, cancellationToken);
            }
        }

        return delivered;
    }

    private async Task<bool> PostBatchAsync(IReadOnlyDictionary<string, string> keys, string project, DemoCall[] batch, bool live, CancellationToken cancellationToken)
    {
        var body = JsonArray(batch);
        for (var attempt = 1; ; attempt++)
        {
            var (status, answer, detail, retryAfter) = await client.PostEventsAsync(keys[project], body, cancellationToken);
            if (answer is not null)
            {
                progress.Record(batch.Length, answer.Created, answer.Updated, answer.Duplicates, answer.Rejected.Count, answer.Unpriced, live);
                if (answer.Rejected is [var first, ..])
                {
                    LogRejected(logger, project, answer.Rejected.Count, batch.Length, string.Join("; ", first.Errors.Select(e => $"{e.Field}: {e.Message}")));
                }

                if (answer.Unpriced > 0)
                {
                    LogUnpriced(logger, project, answer.Unpriced);
                }

                return true;
            }

            var retry = status == HttpStatusCode.TooManyRequests || (int)status >= 500;
            if (retry && attempt < Attempts)
            {
                await Task.Delay(retryAfter ?? TimeSpan.FromSeconds(attempt), time, cancellationToken);
                continue;
            }

            LogBatchFailed(logger, project, batch.Length, (int)status, detail);
            progress.RecordFailedBatch();
            if (!retry)
            {
                progress.Record(batch.Length, 0, 0, 0, batch.Length, 0, live);
            }

            // A rejected batch will not get better by sending it again; a server in trouble might.
            return !retry;
        }
    }

    /// <summary>Publishes a project's calls to the hub; false when the hub is unavailable for now and they should be sent again later.</summary>
    private async Task<bool> PublishAsync(DemoEventHubSink hub, string key, string project, List<DemoCall> calls, bool live, CancellationToken cancellationToken)
    {
        try
        {
            var published = await hub.PublishAsync(key, calls, cancellationToken);
            progress.RecordPublished(published.Events, live);
            return true;
        }
        catch (EventHubsException error) when (error.IsTransient)
        {
            LogPublishFailed(logger, project, calls.Count, hub.EventHubName, error.Message);
            progress.RecordFailedBatch();
            return false;
        }
    }

    private static byte[] JsonArray(DemoCall[] batch)
    {
        using var buffer = new MemoryStream();
        buffer.WriteByte((byte)'[');
        for (var i = 0; i < batch.Length; i++)
        {
            if (i > 0)
            {
                buffer.WriteByte((byte)',');
            }

            buffer.Write(batch[i].ToJsonUtf8());
        }

        buffer.WriteByte((byte)']');
        return buffer.ToArray();
    }

    private static string Describe(TimeSpan span) => span switch
    {
        { TotalDays: >= 1 } => $"{span.TotalDays:0.#} days",
        { TotalHours: >= 1 } => $"{span.TotalHours:0.#} hours",
        _ => $"{span.TotalMinutes:0} minutes",
    };

    private static DateTimeOffset HourStart(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerHour), TimeSpan.Zero);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo traffic for tenant {Tenant} (projects {Projects}): back-filling {Span} of history not sent before, about {Expected:N0} calls")]
    private static partial void LogBackfillStarting(ILogger logger, string tenant, string projects, string span, double expected);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo back-fill done: {Calls:N0} calls sent ({Created:N0} new, {Duplicates:N0} already stored) in {Seconds:0.0} s")]
    private static partial void LogBackfillDone(ILogger logger, long calls, long created, long duplicates, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo back-fill done: {Calls:N0} calls published to event hub {EventHub} in {Seconds:0.0} s; the app ingests them from there")]
    private static partial void LogBackfillPublished(ILogger logger, long calls, string eventHub, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo history: backfill {RunId} rolls up {Hours:N0} hours (GET /api/v1/pipeline/runs/{RunId} shows its progress)")]
    private static partial void LogBackfillStarted(ILogger logger, string runId, int hours);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo budget: {Name}, {Amount:0.00} USD a UTC day, alerts at 50/80/100 %; the runaway agent's day crosses it (GET /api/v1/alerts?state=firing)")]
    private static partial void LogBudget(ILogger logger, string name, decimal amount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo live traffic: streaming, about {PerHour:N0} calls in the next hour")]
    private static partial void LogLiveStarting(ILogger logger, double perHour);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo live traffic is off (TokenTally:Demo:LiveCallsPerSecond = 0)")]
    private static partial void LogLiveOff(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo live traffic: {Calls:N0} calls in the last {Minutes:0} min")]
    private static partial void LogLiveProgress(ILogger logger, long calls, double minutes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo live traffic: the server did not answer ({Reason}); the calls are sent again at the next tick")]
    private static partial void LogLiveUnreachable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo batch for project {Project}: {Rejected} of {Count} records rejected; the first: {Errors}")]
    private static partial void LogRejected(ILogger logger, string project, int rejected, int count, string errors);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo batch for project {Project}: {Unpriced} calls unpriced")]
    private static partial void LogUnpriced(ILogger logger, string project, int unpriced);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo batch of {Count} calls for project {Project} failed with HTTP {Status}: {Detail}")]
    private static partial void LogBatchFailed(ILogger logger, string project, int count, int status, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo calls of project {Project} ({Count}) were not published to event hub {EventHub}: {Reason}; they are sent again later")]
    private static partial void LogPublishFailed(ILogger logger, string project, int count, string eventHub, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Demo traffic stopped")]
    private static partial void LogFailed(ILogger logger, Exception error);
}
