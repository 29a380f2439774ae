using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TokenTally.Application.Calls;
using TokenTally.Application.Projects;
using TokenTally.Application.Rollups;
using TokenTally.Application.Telemetry;
using TokenTally.Core.Calls;
using TokenTally.Core.Pricing;
using TokenTally.Core.Rollups;
using TokenTally.Storage.Sqlite;
using TokenTally.Testing;

// Measures the hourly pipeline's targets in local mode (SQLite):
//   A. rollup of one hour holding N calls for one tenant (target: 1,000,000 calls in < 20 s, < 1 GB);
//   B. GET /api/v1/costs p95 over 90 days of hourly rollups with 50 series, on the real server (target: < 100 ms).
var arguments = args.Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--", StringComparison.Ordinal)).ToDictionary(x => x.a[2..], x => args.ElementAtOrDefault(x.i + 1) ?? "");
int Arg(string name, int fallback) => arguments.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
var calls = Arg("calls", 1_000_000);
var days = Arg("days", 90);
var seriesCount = Arg("series", 50);
var requests = Arg("requests", 200);
var warmup = Arg("warmup", 20);
var root = Path.Combine(Path.GetTempPath(), "tokentally-pipeline-bench-" + Guid.NewGuid().ToString("N"));
var repo = RepositoryPaths.Root;
var output = new List<string> { $"# Pipeline benchmark ({DateTimeOffset.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, .NET {Environment.Version})", "" };

try
{
    if (calls > 0)
    {
        await RollupBenchmarkAsync();
    }

    await CostApiBenchmarkAsync();
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    if (Directory.Exists(root))
    {
        Directory.Delete(root, recursive: true);
    }
}

var resultFile = arguments.TryGetValue("out", out var chosen) && chosen.Length > 0
    ? Path.GetFullPath(chosen)
    : Path.Combine(repo, "artifacts", "bench", $"pipeline-{DateTimeOffset.UtcNow:yyyyMMdd-HHmmss}.md");
Directory.CreateDirectory(Path.GetDirectoryName(resultFile)!);
await File.WriteAllLinesAsync(resultFile, output);
Console.WriteLine($"Wrote {resultFile}");

async Task RollupBenchmarkAsync()
{
    var store = new SqliteDocumentStore(Path.Combine(root, "a", "tokentally.db"), TimeProvider.System);
    var callStore = new CallRecordStore(store, new ChangedHours(store, TimeProvider.System));
    var hour = TimeBuckets.HourStart(DateTimeOffset.UtcNow.AddHours(-2));
    var pricer = new Pricer(PriceCatalog.Default);
    string[] models = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5", "gemini-2.5-flash", "o4-mini", "claude-haiku-4-5"];
    string[] providers = ["openai", "openai", "anthropic", "google", "openai", "anthropic"];
    var random = new Random(7);
    var load = Stopwatch.StartNew();
    for (var start = 0; start < calls; start += 10_000)
    {
        var chunk = new List<StoredCall>(10_000);
        for (var i = start; i < Math.Min(calls, start + 10_000); i++)
        {
            var m = i % models.Length;
            var usage = new TokenUsage(200 + random.Next(8000), 20 + random.Next(900), CachedInput: i % 3 == 0 ? 150 : 0);
            var e = new CallEvent
            {
                Id = $"bench-{i:D7}", Timestamp = hour.AddTicks(TimeSpan.TicksPerHour / calls * i), Tenant = "bench", Project = "p" + (i % 3), Service = "svc-" + (i % 8),
                Release = "1." + (i % 4), Environment = "prod", Provider = providers[m], Model = models[m], Usage = usage, LatencyMs = 50 + random.NextDouble() * 8000,
                TimeToFirstTokenMs = 20 + random.NextDouble() * 900, UserId = "user-" + random.Next(3000), Department = "dept-" + (i % 6),
                Experiment = i % 10 == 0 ? "exp" : null, Variant = i % 10 == 0 ? (i % 20 == 0 ? "a" : "b") : null, Status = i % 50 == 0 ? CallStatus.Error : CallStatus.Ok,
            };
            var priced = pricer.Price(new PricingRequest(providers[m], models[m], e.Timestamp, usage)) is PricingOutcome.Priced p ? p.Cost : null;
            chunk.Add(new StoredCall(e, new PricedCall(providers[m], models[m], priced, null, PriceCatalog.Default.Version), DateTimeOffset.UtcNow));
        }

        await callStore.UpsertAsync(chunk, TimeSpan.FromDays(30), CancellationToken.None);
    }

    load.Stop();
    using var services = new ServiceCollection().AddTokenTallyTelemetry().BuildServiceProvider();
    var step = new HourRollupService(callStore, new RollupStore(store), Options.Create(new RollupOptions()), services.GetRequiredService<TokenTallyMetrics>(), NullLogger<HourRollupService>.Instance);
    GC.Collect();
    var before = Process.GetCurrentProcess().PeakWorkingSet64;
    var allocated = GC.GetTotalAllocatedBytes();
    var timer = Stopwatch.StartNew();
    var counted = await step.RollUpAsync("bench", hour, CancellationToken.None);
    timer.Stop();
    var peak = Process.GetCurrentProcess().PeakWorkingSet64;
    var line = $"| rollup of one hour | {counted:N0} calls | {timer.Elapsed.TotalSeconds:F1} s | {counted / timer.Elapsed.TotalSeconds:N0} calls/s | peak working set {peak / 1048576.0:N0} MB (before rollup {before / 1048576.0:N0} MB) | allocated {(GC.GetTotalAllocatedBytes() - allocated) / 1048576.0:N0} MB |";
    output.AddRange(["## A. Rollup (local mode, SQLite)", "", $"Loaded {calls:N0} call records in {load.Elapsed.TotalSeconds:F1} s (direct bulk upsert, not the HTTP path).", "",
        "| what | size | time | rate | memory | garbage |", "|---|---|---|---|---|---|", line, ""]);
    Console.WriteLine(line);
}

async Task CostApiBenchmarkAsync()
{
    var dataPath = Path.Combine(root, "b");
    var store = new SqliteDocumentStore(Path.Combine(dataPath, "tokentally.db"), TimeProvider.System);
    var projects = new ProjectStore(store, TimeProvider.System);
    await projects.CreateAsync("bench", "api", new Dictionary<string, string>(), CancellationToken.None);
    var key = await projects.IssueKeyAsync("bench", "api", "bench", [KeyScopeNames.ReadTenant], CancellationToken.None);
    var rollups = new RollupStore(store);
    var to = TimeBuckets.HourStart(DateTimeOffset.UtcNow);
    var from = to.AddDays(-days);
    var random = new Random(11);
    var write = Stopwatch.StartNew();
    for (var hour = from; hour < to; hour = hour.AddHours(1))
    {
        var rollup = new HourRollup();
        for (var s = 0; s < seriesCount; s++)
        {
            for (var c = 0; c < 4; c++)
            {
                var values = new string[CallFact.DimensionCount];
                Array.Fill(values, Cube.None);
                values[(int)Dimension.Project] = "api";
                values[(int)Dimension.Model] = "model-" + s;
                values[(int)Dimension.Provider] = "openai";
                values[(int)Dimension.Status] = "ok";
                values[(int)Dimension.Operation] = "chat";
                rollup.Add(new CallFact(values, false, 1000, 0, 0, 100, 0, 0.0125m, false, 100 + random.NextDouble() * 4000, 50 + random.NextDouble() * 500));
            }
        }

        await rollups.ReplaceHourAsync("bench", hour, rollup.Rows(), CancellationToken.None);
    }

    write.Stop();
    string[] settings = ["--TokenTally:Local:RunScheduler=false", "--Logging:LogLevel:Default=Warning"];
    await using var server = await LocalServerProcess.StartAsync(Path.Combine(AppContext.BaseDirectory, "TokenTally.Local.dll"), dataPath, settings, logPath: null, CancellationToken.None);
    using var http = server.CreateClient();
    http.DefaultRequestHeaders.Add("api-key", key.Key);

    // Each request ends its window at a different hour of the last day, so the partial days at the edges (hour rows) vary
    // as they would for real users; the first `warmup` requests let the JIT reach its optimized code and are not counted.
    string Query(int i) => $"/api/v1/costs?from={Uri.EscapeDataString(from.AddHours(-(i % 24)).ToString("O"))}&to={Uri.EscapeDataString(to.AddHours(-(i % 24)).ToString("O"))}&granularity=day&groupBy=model";
    var check = await http.GetFromJsonAsync<JsonElement>(Query(0));
    var seriesSeen = check.GetProperty("series").GetArrayLength();
    for (var i = 0; i < warmup; i++)
    {
        using var response = await http.GetAsync(Query(i));
        response.EnsureSuccessStatusCode();
    }

    var latencies = new List<double>();
    var serverCpu = server.CpuTime;
    for (var i = 0; i < requests; i++)
    {
        var sw = Stopwatch.StartNew();
        using var response = await http.GetAsync(Query(i));
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync();
        latencies.Add(sw.Elapsed.TotalMilliseconds);
    }

    var cpuPerRequest = (server.CpuTime - serverCpu).TotalMilliseconds / requests;
    latencies.Sort();
    double P(double q) => latencies[(int)Math.Min(latencies.Count - 1, Math.Floor(q * (latencies.Count - 1)))];
    var line = $"| GET /api/v1/costs, {days} days, granularity=day, groupBy=model | {seriesSeen} series, {days * 24 * seriesSeen:N0} hourly rows | {warmup} + {requests} | {P(0.5):F1} ms | {P(0.95):F1} ms | {P(0.99):F1} ms | {cpuPerRequest:F1} ms |";
    output.AddRange(["## B. Cost API (real server on loopback, local mode)", "", $"Wrote {days * 24:N0} hours of rollups in {write.Elapsed.TotalSeconds:F1} s.", "",
        "| query | data | requests (warm-up + measured) | p50 | p95 | p99 | server CPU per request |", "|---|---|---|---|---|---|---|", line, ""]);
    Console.WriteLine(line);
}
