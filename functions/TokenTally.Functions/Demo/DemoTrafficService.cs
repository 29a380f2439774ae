using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using TokenTally.Core.Pipeline;
using TokenTally.Core.Rollups;
using TokenTally.Functions.Hosting;
using TokenTally.Functions.Ingestion;
using TokenTally.Functions.Pipeline;
using TokenTally.Functions.Projects;
using TokenTally.Storage.Documents;
using TokenTally.Storage.Queues;

namespace TokenTally.Functions.Demo;

/// <summary>
/// The demo's memory, in the demo tenant's config partition: its anchor (first start), which the
/// story's dates hang on, and the span of time whose calls were already sent, so a restart sends
/// only what is missing. The ids would make a full re-send harmless too, but it would rewrite every
/// record's arrival time.
/// </summary>
internal sealed record DemoMarker(int Seed, DateTimeOffset Anchor, DateTimeOffset? CoveredFrom, DateTimeOffset? CoveredThrough);

/// <summary>
/// <c>./run.sh --demo</c>: creates tenant <c>demo</c> with three projects and a fresh API key each
/// (kept in memory only), back-fills the history through the public <c>POST /api/v1/events</c> on
/// the server's own loopback address, then streams live traffic until shutdown. Local mode only.
/// </summary>
internal sealed partial class DemoTrafficService(
    IOptions<DemoOptions> options,
    IOptions<IngestionOptions> ingestion,
    HostingEnvironment hosting,
    ProjectStore projects,
    IDocumentStore store,
    IMessageQueue queue,
    IServer server,
    IHostApplicationLifetime lifetime,
    DemoProgress progress,
    TimeProvider time,
    ILogger<DemoTrafficService> logger) : BackgroundService
{
    public const string KeyName = "demo-traffic";

    /// <summary>Process-level documents live apart from the tenants' partitions (as the admin key does).</summary>
    public const string MarkerPartition = "_system";
    private const int BatchSize = 500;
    private const int Attempts = 5;
    private static readonly TimeSpan BackfillSlice = TimeSpan.FromHours(6);
    private static readonly TimeSpan LiveTick = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SaveEvery = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan ReportEvery = TimeSpan.FromMinutes(15);

    private sealed record Connection(HttpClient Http, IReadOnlyDictionary<string, string> Keys);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var demo = options.Value;
        if (!demo.Enabled)
        {
            return;
        }

        if (!hosting.IsLocal)
        {
            LogLocalOnly(logger);
            return;
        }

        try
        {
            await WhenStartedAsync(stoppingToken);
            using var http = new HttpClient { BaseAddress = ServerAddress(), Timeout = TimeSpan.FromMinutes(2) };
            var marker = await LoadMarkerAsync(demo.Seed, stoppingToken);
            var traffic = new DemoTraffic(demo.Seed, marker.Anchor, demo.BackfillCallsPerDay);
            var connection = new Connection(http, await PrepareProjectsAsync(stoppingToken));
            var (backfilled, liveFrom) = await BackfillAsync(traffic, marker, connection, stoppingToken);
            progress.BackfillDone();
            await StreamLiveAsync(traffic, backfilled, liveFrom, connection, stoppingToken);
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the server stops answering and the work is cancelled; nothing is lost (the marker says where to resume).
        }
        catch (Exception error)
        {
            LogFailed(logger, error);
            progress.BackfillFailed(error);
        }
    }

    private async Task WhenStartedAsync(CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(cancellationToken);
    }

    /// <summary>The address Kestrel actually bound (port 0 picks one), known once the application has started.</summary>
    private Uri ServerAddress()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The server has no bound address to send demo traffic to.");
        var uri = new UriBuilder(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
        if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)))
        {
            uri.Host = IPAddress.Loopback.ToString();
        }

        return uri.Uri;
    }

    private async Task<DemoMarker> LoadMarkerAsync(int seed, CancellationToken cancellationToken)
    {
        var id = MarkerId(seed);
        var document = await store.GetAsync(DocumentContainer.Config, MarkerPartition, id, cancellationToken);
        if (document?.Data.Deserialize<DemoMarker>(ProjectStore.Json) is { } existing)
        {
            return existing;
        }

        var created = new DemoMarker(seed, time.GetUtcNow(), null, null);
        await store.UpsertAsync(DocumentContainer.Config, new DocumentWrite(MarkerPartition, id, ToData(created)), WriteCondition.IfNotExists, cancellationToken);
        return created;
    }

    private async Task SaveMarkerAsync(DemoMarker marker, CancellationToken cancellationToken) =>
        await store.UpsertAsync(DocumentContainer.Config, new DocumentWrite(MarkerPartition, MarkerId(marker.Seed), ToData(marker)), WriteCondition.None, cancellationToken);

    /// <summary>Creates the projects (or brings their deployment mapping up to date) and issues this run's keys, revoking the last run's.</summary>
    private async Task<IReadOnlyDictionary<string, string>> PrepareProjectsAsync(CancellationToken cancellationToken)
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var project in DemoCompany.Projects)
        {
            var existing = await projects.GetAsync(DemoCompany.Tenant, project.Name, cancellationToken);
            if (existing is null)
            {
                await projects.CreateAsync(DemoCompany.Tenant, project.Name, project.AzureDeployments, cancellationToken);
            }
            else if (project.AzureDeployments.Any(d => !existing.AzureDeployments.TryGetValue(d.Key, out var model) || model != d.Value))
            {
                var merged = new Dictionary<string, string>(existing.AzureDeployments);
                foreach (var (deployment, model) in project.AzureDeployments)
                {
                    merged[deployment] = model;
                }

                await projects.SetAzureDeploymentsAsync(DemoCompany.Tenant, project.Name, merged, cancellationToken);
            }

            foreach (var old in await projects.ListKeysAsync(DemoCompany.Tenant, project.Name, cancellationToken))
            {
                if (old.Name == KeyName && old.RevokedAt is null)
                {
                    await projects.RevokeKeyAsync(DemoCompany.Tenant, project.Name, old.KeyId, cancellationToken);
                }
            }

            keys[project.Name] = (await projects.IssueKeyAsync(DemoCompany.Tenant, project.Name, KeyName, cancellationToken)).Key;
        }

        return keys;
    }

    /// <summary>
    /// Sends every call of the wanted history that was not sent before, oldest first, in six-hour
    /// slices; returns the marker and the time live traffic takes over from.
    /// </summary>
    private async Task<(DemoMarker Marker, DateTimeOffset LiveFrom)> BackfillAsync(DemoTraffic traffic, DemoMarker marker, Connection connection, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var oldestKept = now - ingestion.Value.Retention + TimeSpan.FromHours(1);
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
                intact &= await SendAsync(connection, traffic.Generate(start, end).ToList(), live: false, cancellationToken);
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

        LogBackfillDone(logger, progress.Sent - sent, progress.Created - created, progress.Duplicates - duplicates, time.GetElapsedTime(started).TotalSeconds);

        // The timer rolls up only the last closed hours, so the history it will never reach is queued for the pipeline,
        // as POST /api/v1/pipeline/runs would queue it: costs, usage and percentiles then cover the whole demo.
        if (progress.Created > created)
        {
            var rolledUpFrom = TimeBuckets.HourStart(ranges.Min(r => r.From));
            var hours = await PipelineWorkerFunction.QueueHoursAsync(queue, rolledUpFrom, PipelineRun.LastClosedHour(now).AddHours(1), reprice: false, cancellationToken);
            LogRollupQueued(logger, hours);
        }

        return (intact ? marker with { CoveredThrough = now } : marker, now);
    }

    /// <summary>
    /// Every second, sends the calls whose time has come; a window that fails is generated and sent
    /// again at the next tick. The marker follows only when the history before is complete.
    /// </summary>
    private async Task StreamLiveAsync(DemoTraffic traffic, DemoMarker marker, DateTimeOffset cursor, Connection connection, CancellationToken cancellationToken)
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
                if (calls.Count > 0 && !await SendAsync(connection, calls, live: true, cancellationToken))
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
    private async Task<bool> SendAsync(Connection connection, IReadOnlyList<DemoCall> calls, bool live, CancellationToken cancellationToken)
    {
        var delivered = true;
        foreach (var project in calls.GroupBy(c => c.Project))
        {
            foreach (var batch in project.Chunk(BatchSize))
            {
                delivered &= await PostBatchAsync(connection, project.Key, batch, live, cancellationToken);
            }
        }

        return delivered;
    }

    private async Task<bool> PostBatchAsync(Connection connection, string project, DemoCall[] batch, bool live, CancellationToken cancellationToken)
    {
        var body = JsonArray(batch);
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation("api-key", connection.Keys[project]);
            using var response = await connection.Http.SendAsync(request, cancellationToken);
            if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.MultiStatus)
            {
                var answer = await response.Content.ReadFromJsonAsync<IngestResponse>(cancellationToken)
                    ?? throw new InvalidOperationException("POST /api/v1/events answered with an empty body.");
                progress.Record(batch.Length, answer.Created, answer.Duplicates, answer.Rejected.Count, answer.Unpriced, live);
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

            var retry = response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;
            if (retry && attempt < Attempts)
            {
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(attempt), time, cancellationToken);
                continue;
            }

            var detail = await response.Content.ReadAsStringAsync(cancellationToken);
            LogBatchFailed(logger, project, batch.Length, (int)response.StatusCode, detail.Length > 500 ? detail[..500] : detail);
            progress.RecordFailedBatch();
            if (!retry)
            {
                progress.Record(batch.Length, 0, 0, batch.Length, 0, live);
            }

            // A rejected batch will not get better by sending it again; a server in trouble might.
            return !retry;
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

    public static string MarkerId(int seed) => $"demo-traffic-seed-{seed}";

    private static System.Text.Json.Nodes.JsonObject ToData(DemoMarker marker) => JsonSerializer.SerializeToNode(marker, ProjectStore.Json)!.AsObject();

    private static string Describe(TimeSpan span) => span switch
    {
        { TotalDays: >= 1 } => $"{span.TotalDays:0.#} days",
        { TotalHours: >= 1 } => $"{span.TotalHours:0.#} hours",
        _ => $"{span.TotalMinutes:0} minutes",
    };

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    [LoggerMessage(Level = LogLevel.Warning, Message = "TokenTally:Demo:Enabled is set, but demo traffic runs in local mode only; no demo traffic is sent.")]
    private static partial void LogLocalOnly(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo traffic for tenant {Tenant} (projects {Projects}): back-filling {Span} of history not sent before, about {Expected:N0} calls")]
    private static partial void LogBackfillStarting(ILogger logger, string tenant, string projects, string span, double expected);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo back-fill done: {Calls:N0} calls sent ({Created:N0} new, {Duplicates:N0} already stored) in {Seconds:0.0} s")]
    private static partial void LogBackfillDone(ILogger logger, long calls, long created, long duplicates, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo history queued for the hourly pipeline: {Hours:N0} hours to roll up (GET /api/v1/pipeline/runs shows them)")]
    private static partial void LogRollupQueued(ILogger logger, int hours);

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

    [LoggerMessage(Level = LogLevel.Error, Message = "Demo traffic stopped")]
    private static partial void LogFailed(ILogger logger, Exception error);
}
