using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using TokenTally.Benchmarks;

namespace TokenTally.LoadDriver;

/// <summary>
/// The budget status endpoint under an open-loop load: a fresh local-mode server gets budgets and a few hours of calls, rolled
/// up by a backfill except the hour under way, then is asked <c>GET /api/v1/budgets/status</c> at a fixed rate across a
/// set of scopes. Latency counts from each request's scheduled time, so a stalled server cannot hide its queue.
/// </summary>
internal static class BudgetStatusRun
{
    private static readonly string[] Services = ["checkout-api", "search", "support-bot", "doc-indexer", "summarizer", "agent-runtime"];
    private static readonly string[] Models = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4", "gemini-2.5-flash"];

    public static async Task<int> RunAsync(DriverOptions options, string serverDll, string root, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        Console.WriteLine($"Budget status at {options.Rate} requests/s: {options.WarmupSeconds} s warm-up + {options.Seconds} s measured, {Services.Length * Models.Length} scopes.");
        await using var server = await ServerProcess.StartAsync(serverDll, options.KeepData, cancellationToken);
        var key = await server.CreateProjectKeyAsync("loadtest", "bench", CallRecordGenerator.AzureDeployment, CallRecordGenerator.AzureDeploymentModel, cancellationToken);
        using var admin = server.AdminClient();
        var calls = await SeedAsync(server, admin, key, cancellationToken);
        Console.WriteLine($"Seeded {calls:N0} calls and rolled them up; loading …");

        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        var paths = Services.SelectMany(s => Models.Select(m => $"api/v1/budgets/status?service={s}&model={Uri.EscapeDataString(m)}")).ToArray();
        var probe = await client.GetFromJsonAsync<JsonElement>(paths[0], cancellationToken);
        Console.WriteLine($"A status answer: {probe}");

        // The same load on the cheapest endpoint, in the same run: what the machine, the driver and the host cost alone.
        var rows = new List<string>();
        var failed = 0L;
        foreach (var (name, targets) in new[] { ("budget status", paths), ("baseline: GET /api/health/live", new[] { "api/health/live" }) })
        {
            await LoadAsync(client, targets, options.Rate, options.WarmupSeconds, cancellationToken);
            var cpuBefore = server.CpuTime;
            var measured = await LoadAsync(client, targets, options.Rate, options.Seconds, cancellationToken);
            var cpu = (server.CpuTime - cpuBefore).TotalSeconds / options.Seconds;
            var latencies = measured.Latencies.Order().ToArray();
            failed += measured.Failed;
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {options.Rate} | {measured.Sent:N0} | {measured.Failed} | {measured.Sent / (double)options.Seconds:N0} | {ResultsReport.Percentile(latencies, 50):N2} | {ResultsReport.Percentile(latencies, 95):N2} | {ResultsReport.Percentile(latencies, 99):N2} | {ResultsReport.Percentile(latencies, 100):N2} | {cpu:N2} |"));
            Console.WriteLine(rows[^1]);
        }

        var markdown = ResultsReport.Markdown(
            $"`GET /api/v1/budgets/status`, loopback, local mode (SQLite), open loop at {options.Rate} requests/s over {paths.Length} scopes (6 services × 4 models, the project filled in from the ingest key), " +
            $"{options.WarmupSeconds} s warm-up + {options.Seconds} s measured. The tenant has 9 budgets (tenant, project, one per service, one on gpt-4o) and {calls:N0} calls over the last 6 hours, rolled up except the hour under way; answers at most 10 s old (the default).",
            started,
            "| Endpoint | Target rps | Requests | Failed | Achieved rps | p50 ms | p95 ms | p99 ms | max ms | Server CPU (cores) |",
            rows,
            $"Latency runs from each request's scheduled send time to its answer read, failures excluded; the driver runs on the same machine. CPU is server CPU time over wall time (1.00 = one core). Server peak RSS {server.Memory().PeakRss / 1048576.0:N0} MB.");
        await ResultsReport.WriteAsync(markdown, options.Out, root, "budget-status", started, CancellationToken.None);
        return failed == 0 ? 0 : 1;
    }

    private static async Task<long> SeedAsync(ServerProcess server, HttpClient admin, string key, CancellationToken cancellationToken)
    {
        var month = new { kind = "month" };
        object[] budgets =
        [
            new { name = "tenant", period = month, amountUsd = 50_000 },
            new { name = "project", period = month, amountUsd = 20_000, scope = new { project = new[] { "bench" } } },
            new { name = "gpt-4o", period = month, amountUsd = 2_000, scope = new { model = new[] { "gpt-4o" } } },
            .. Services.Select(s => new { name = s, period = month, amountUsd = 3_000, scope = new { service = new[] { s } } }),
        ];
        foreach (var budget in budgets)
        {
            (await admin.PostAsJsonAsync("api/v1/budgets?tenant=loadtest", budget, cancellationToken)).EnsureSuccessStatusCode();
        }

        using var ingest = new HttpClient { BaseAddress = server.BaseAddress };
        ingest.DefaultRequestHeaders.Add("api-key", key);
        var batches = new BatchSource(500, DateTimeOffset.UtcNow);
        const int Batches = 40;
        for (var i = 0; i < Batches; i++)
        {
            using var content = new ByteArrayContent(batches.Next());
            content.Headers.ContentType = new("application/json");
            (await ingest.PostAsync("api/v1/events", content, cancellationToken)).EnsureSuccessStatusCode();
        }

        var now = DateTimeOffset.UtcNow;
        var thisHour = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerHour));
        var backfill = await admin.PostAsJsonAsync("api/v1/pipeline/runs", new { from = thisHour.AddHours(-7), to = thisHour }, cancellationToken);
        var id = (await backfill.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetString();
        for (var waited = Stopwatch.StartNew(); ; await Task.Delay(500, cancellationToken))
        {
            var status = (await admin.GetFromJsonAsync<JsonElement>($"api/v1/pipeline/runs/{id}", cancellationToken)).GetProperty("status").GetString();
            if (status is "succeeded" or "completed")
            {
                break;
            }

            if (status is not ("pending" or "running") || waited.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new InvalidOperationException($"The backfill {id} did not succeed: {status}.");
            }
        }

        return Batches * 500L;
    }

    private sealed record Measured(long Sent, long Failed, List<double> Latencies);

    private static async Task<Measured> LoadAsync(HttpClient client, string[] paths, int rate, int seconds, CancellationToken cancellationToken)
    {
        var total = (long)rate * seconds;
        var latencies = new double[total];
        var failed = 0L;
        var inFlight = new List<Task>((int)total);
        var clock = Stopwatch.StartNew();
        for (long i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds(i / (double)rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, cancellationToken);
            }

            var index = i;
            inFlight.Add(Task.Run(async () =>
            {
                try
                {
                    using var response = await client.GetAsync(paths[index % paths.Length], cancellationToken);
                    await response.Content.ReadAsByteArrayAsync(cancellationToken);
                    latencies[index] = response.IsSuccessStatusCode ? (clock.Elapsed - due).TotalMilliseconds : double.NaN;
                }
                catch (HttpRequestException)
                {
                    latencies[index] = double.NaN;
                }

                if (double.IsNaN(latencies[index]))
                {
                    Interlocked.Increment(ref failed);
                }
            }, cancellationToken));
        }

        await Task.WhenAll(inFlight);
        return new Measured(total, failed, latencies.Where(l => !double.IsNaN(l)).ToList());
    }
}
