using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace TokenTally.LoadDriver;

/// <summary>What one concurrency level measured.</summary>
internal sealed record LevelResult(
    int Senders,
    int BatchSize,
    long Batches,
    long Events,
    long Failed,
    TimeSpan Elapsed,
    double[] SortedLatenciesMs,
    double ServerCpuSeconds,
    double DriverCpuSeconds,
    long ServerPeakRssBytes,
    long ServerWrittenBytes,
    long DatabaseBytes,
    string? FirstFailure)
{
    public double EventsPerSecond => Events / Elapsed.TotalSeconds;

    public double BatchesPerSecond => Batches / Elapsed.TotalSeconds;

    /// <summary>The nearest-rank percentile of the successful batches' latencies.</summary>
    public double Percentile(double p) => ResultsReport.Percentile(SortedLatenciesMs, p);
}

/// <summary>N senders posting batches back to back for a fixed time; every batch's latency is recorded.</summary>
internal static class LoadLevel
{
    public static async Task<LevelResult> RunAsync(ServerProcess server, string apiKey, BatchSource batches, DriverOptions options, int senders, CancellationToken cancellationToken)
    {
        using var client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = senders,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        })
        {
            BaseAddress = server.BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);

        if (options.WarmupSeconds > 0)
        {
            Console.WriteLine($"  warming up for {options.WarmupSeconds} s …");
            await MeasureAsync(client, batches, options, senders, TimeSpan.FromSeconds(options.WarmupSeconds), cancellationToken);
        }

        Console.WriteLine($"  measuring for {options.Seconds} s …");
        var serverCpu = server.CpuTime;
        var serverWritten = server.WrittenBytes();
        var driverCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var run = await MeasureAsync(client, batches, options, senders, TimeSpan.FromSeconds(options.Seconds), cancellationToken);
        var serverCpuSeconds = (server.CpuTime - serverCpu).TotalSeconds;
        var driverCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - driverCpu).TotalSeconds;

        var latencies = run.Latencies.ToArray();
        Array.Sort(latencies);
        return new LevelResult(
            senders, options.BatchSize, run.Batches, run.Events, run.Failed, run.Elapsed, latencies, serverCpuSeconds, driverCpuSeconds,
            server.Memory().PeakRss, server.WrittenBytes() - serverWritten, DatabaseBytes(server.DataPath), run.FirstFailure);
    }

    private static async Task<Run> MeasureAsync(HttpClient client, BatchSource batches, DriverOptions options, int senders, TimeSpan duration, CancellationToken cancellationToken)
    {
        var run = new Run();
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, senders).Select(_ => Task.Run(() => SendAsync(client, batches, options, run, clock, duration, cancellationToken), cancellationToken)).ToArray();
        await Task.WhenAll(tasks);
        run.Elapsed = clock.Elapsed;
        return run;
    }

    private static async Task SendAsync(HttpClient client, BatchSource batches, DriverOptions options, Run run, Stopwatch clock, TimeSpan duration, CancellationToken cancellationToken)
    {
        var latencies = new List<double>();
        while (clock.Elapsed < duration && Interlocked.Increment(ref run.Started) <= options.MaxBatches && !cancellationToken.IsCancellationRequested)
        {
            using var content = new ByteArrayContent(batches.Next());
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            var start = Stopwatch.GetTimestamp();
            using var response = await client.PostAsync("api/v1/events", content, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var milliseconds = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (response.StatusCode == HttpStatusCode.OK && Accepted(body) == options.BatchSize)
            {
                latencies.Add(milliseconds);
                Interlocked.Increment(ref run.Batches);
                Interlocked.Add(ref run.Events, options.BatchSize);
            }
            else
            {
                Interlocked.Increment(ref run.Failed);
                Interlocked.CompareExchange(ref run.FirstFailure, $"{(int)response.StatusCode}: {Truncate(Encoding.UTF8.GetString(body))}", null);
            }
        }

        lock (run.Latencies)
        {
            run.Latencies.AddRange(latencies);
        }
    }

    private static int Accepted(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.TryGetProperty("accepted", out var accepted) ? accepted.GetInt32() : -1;
    }

    private static long DatabaseBytes(string dataPath) =>
        Directory.EnumerateFiles(dataPath, "*", SearchOption.AllDirectories)
            .Where(f => f.Contains(".db", StringComparison.Ordinal))
            .Sum(f => new FileInfo(f).Length);

    private static string Truncate(string text) => text.Length <= 400 ? text : text[..400] + "…";

    private sealed class Run
    {
        public readonly List<double> Latencies = [];
        public long Started;
        public long Batches;
        public long Events;
        public long Failed;
        public string? FirstFailure;
        public TimeSpan Elapsed;
    }
}
