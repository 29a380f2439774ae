using System.Globalization;
using System.Net.Sockets;
using Azure.Identity;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;

namespace TokenTally.LoadDriver;

/// <summary>
/// <c>--event-hub</c>: the batches go to an Event Hub a deployed app reads instead of a local server. The key and a connection
/// string come from the environment, never the command line; the app's ingestion is not measured here, only publishing.
/// </summary>
internal static class HubRun
{
    public static async Task<int> RunAsync(DriverOptions options, string root, CancellationToken cancellationToken)
    {
        var apiKey = Environment.GetEnvironmentVariable(DriverOptions.ApiKeyVariable);
        var connectionString = Environment.GetEnvironmentVariable(DriverOptions.ConnectionStringVariable);
        if (string.IsNullOrWhiteSpace(apiKey))
        {
            await Console.Error.WriteLineAsync($"--event-hub needs a project key with the ingest scope in the environment variable {DriverOptions.ApiKeyVariable}.");
            return 2;
        }

        if (string.IsNullOrWhiteSpace(connectionString) == (options.EventHubNamespace is null))
        {
            await Console.Error.WriteLineAsync($"--event-hub needs either --event-hub-namespace or a connection string in {DriverOptions.ConnectionStringVariable}, not both.");
            return 2;
        }

        await using var producer = options.EventHubNamespace is { } ns
            ? new EventHubProducerClient(ns, options.EventHub, new DefaultAzureCredential())
            : new EventHubProducerClient(connectionString, options.EventHub);
        Console.WriteLine($"Event hub: {producer.FullyQualifiedNamespace}/{producer.EventHubName}");
        Console.WriteLine($"{options.BatchSize}-record events, {options.WarmupSeconds} s warm-up + {options.Seconds} s per level, senders: {string.Join(", ", options.Concurrency)}");
        var results = new List<HubLevelResult>();
        var started = DateTimeOffset.UtcNow;
        try
        {
            foreach (var senders in options.Concurrency)
            {
                Console.WriteLine($"{senders} senders:");
                var result = await HubLoad.RunAsync(producer, apiKey, new BatchSource(options.BatchSize, DateTimeOffset.UtcNow), options, senders, cancellationToken);
                results.Add(result);
                Console.WriteLine(Row(result));
                if (result.FirstFailure is { } failure)
                {
                    Console.WriteLine($"  {result.Failed} publishes failed; the first: {failure}");
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.WriteLine("Cancelled.");
        }
        catch (InvalidOperationException tooLarge)
        {
            await Console.Error.WriteLineAsync(tooLarge.Message + " Use a smaller --batch.");
            return 2;
        }
        catch (Exception unreachable) when (unreachable is EventHubsException or AuthenticationFailedException or SocketException)
        {
            await Console.Error.WriteLineAsync($"Could not publish to {producer.FullyQualifiedNamespace}/{producer.EventHubName}: {unreachable.Message}");
            return 1;
        }

        if (results.Count == 0)
        {
            return 1;
        }

        await ResultsReport.WriteAsync(Markdown(results, options, producer.EventHubName, started), options.Out, root, "eventhub", started, cancellationToken);
        return results.Any(r => r.Failed > 0) ? 1 : 0;
    }

    private const string Header = "| Senders | Publishes | Hub sends | Events | Records | Failed | Records/s | Events/s | Sends/s | p50 ms | p95 ms | p99 ms | max ms |";

    private static string Row(HubLevelResult r) => string.Create(CultureInfo.InvariantCulture,
        $"| {r.Senders} | {r.Publishes:N0} | {r.Sends:N0} | {r.Events:N0} | {r.Records:N0} | {r.Failed} | {r.RecordsPerSecond:N0} | {r.EventsPerSecond:N1} | {r.SendsPerSecond:N1} | {r.Percentile(50):N1} | {r.Percentile(95):N1} | {r.Percentile(99):N1} | {r.Percentile(100):N1} |");

    private static string Markdown(IReadOnlyList<HubLevelResult> results, DriverOptions options, string hub, DateTimeOffset started) => ResultsReport.Markdown(
        $"Publishing to event hub {hub}: events of {options.BatchSize} records (a JSON array each), {options.WarmupSeconds} s warm-up + {options.Seconds} s measured per level.",
        started,
        Header,
        results.Select(Row),
        "Latency is per publish (about one hub batch), successful publishes only. This measures publishing; the app ingests the events asynchronously (see the intake-lag entry of /api/v1/admin/health).");
}
