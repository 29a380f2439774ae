using System.Globalization;
using System.Reflection;
using TokenTally.Benchmarks;
using TokenTally.LoadDriver;
using TokenTally.Testing;

// HTTP end to end on loopback: for each concurrency level, a fresh server in local mode (SQLite) is started, given a
// project and key, warmed up and then sent batches for a fixed time. Results are printed and written as markdown.
// With --event-hub the batches are published to an Event Hub instead (HubRun).
if (args.Any(a => a is "--help" or "-h"))
{
    Console.WriteLine(DriverOptions.Usage);
    return 0;
}

DriverOptions options;
try
{
    options = DriverOptions.Parse(args);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync(e.Message + Environment.NewLine + DriverOptions.Usage);
    return 2;
}

var root = RepositoryPaths.Root;
if (options.EventHub is not null)
{
    using var cancelHub = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        cancelHub.Cancel();
    };
    return await HubRun.RunAsync(options, root, cancelHub.Token);
}

var configuration = typeof(DriverOptions).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "Configuration")?.Value ?? "Release";
var serverDll = Path.GetFullPath(options.ServerDll ?? Path.Combine(root, "functions", "TokenTally.Local", "bin", configuration, "net10.0", "TokenTally.Local.dll"));
if (!File.Exists(serverDll))
{
    await Console.Error.WriteLineAsync($"The server is not built: {serverDll} is missing. Build it (dotnet build functions/TokenTally.Local -c {configuration}) or pass --server-dll.");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

if (options.BudgetStatus)
{
    return await BudgetStatusRun.RunAsync(options, serverDll, root, cancel.Token);
}

Console.WriteLine($"Server: {serverDll}");
Console.WriteLine($"{options.BatchSize}-event batches, {options.WarmupSeconds} s warm-up + {options.Seconds} s per level, senders: {string.Join(", ", options.Concurrency)}");
var results = new List<LevelResult>();
var started = DateTimeOffset.UtcNow;
try
{
    foreach (var senders in options.Concurrency)
    {
        Console.WriteLine($"{senders} senders: starting a fresh server …");
        await using var server = await ServerProcess.StartAsync(serverDll, options.KeepData, cancel.Token);
        var key = await server.CreateProjectKeyAsync("loadtest", "bench", CallRecordGenerator.AzureDeployment, CallRecordGenerator.AzureDeploymentModel, cancel.Token);
        var batches = new BatchSource(options.BatchSize, DateTimeOffset.UtcNow);
        var result = await LoadLevel.RunAsync(server, key, batches, options, senders, cancel.Token);
        results.Add(result);
        Console.WriteLine(Report.Row(result));
        if (result.FirstFailure is { } failure)
        {
            Console.WriteLine($"  {result.Failed} batches failed; the first: {failure}");
        }

        if (options.KeepData)
        {
            Console.WriteLine($"  data kept in {server.DataPath}");
        }
    }
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.WriteLine("Cancelled.");
}

if (results.Count == 0)
{
    return 1;
}

await ResultsReport.WriteAsync(Report.Markdown(results, options, started), options.Out, root, "http", started, CancellationToken.None);
return results.Any(r => r.Failed > 0) ? 1 : 0;

/// <summary>The results as a console row and as markdown.</summary>
internal static class Report
{
    private const string Header = "| Senders | Batches | Events | Failed | Events/s | Batches/s | p50 ms | p95 ms | p99 ms | max ms | Server CPU (cores) | Driver CPU (cores) | Server peak RSS | Server writes per event | SQLite size |";

    public static string Row(LevelResult r)
    {
        var seconds = r.Elapsed.TotalSeconds;
        return string.Create(CultureInfo.InvariantCulture,
            $"| {r.Senders} | {r.Batches:N0} | {r.Events:N0} | {r.Failed} | {r.EventsPerSecond:N0} | {r.BatchesPerSecond:N1} | {r.Percentile(50):N1} | {r.Percentile(95):N1} | {r.Percentile(99):N1} | {r.Percentile(100):N1} | {r.ServerCpuSeconds / seconds:N2} | {r.DriverCpuSeconds / seconds:N2} | {r.ServerPeakRssBytes / 1048576.0:N0} MB | {(r.Events == 0 ? 0 : r.ServerWrittenBytes / 1024.0 / r.Events):N1} KB | {r.DatabaseBytes / 1048576.0:N0} MB |");
    }

    public static string Markdown(IReadOnlyList<LevelResult> results, DriverOptions options, DateTimeOffset started) => ResultsReport.Markdown(
        $"HTTP ingestion, loopback, local mode (SQLite): {options.BatchSize}-event JSON batches, {options.WarmupSeconds} s warm-up + {options.Seconds} s measured per level, a fresh server per level.",
        started,
        Header,
        results.Select(Row),
        "Latency is per batch, request sent to answer read, successful batches only. CPU is CPU time over wall time (1.00 = one core busy); the driver shares the machine with the server. Server writes are the bytes it wrote through system calls (/proc wchar: SQLite WAL and checkpoints, logs, responses) per event stored.");
}
