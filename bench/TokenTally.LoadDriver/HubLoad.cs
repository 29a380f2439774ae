using System.Diagnostics;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using TokenTally.Demo.EventHubs;

namespace TokenTally.LoadDriver;

/// <summary>What one concurrency level published to the hub.</summary>
internal sealed record HubLevelResult(int Senders, int RecordsPerEvent, long Publishes, long Sends, long Events, long Failed, TimeSpan Elapsed, double[] SortedLatenciesMs, string? FirstFailure)
{
    public long Records => Events * RecordsPerEvent;

    public double RecordsPerSecond => Records / Elapsed.TotalSeconds;

    public double EventsPerSecond => Events / Elapsed.TotalSeconds;

    public double SendsPerSecond => Sends / Elapsed.TotalSeconds;

    /// <summary>The nearest-rank percentile of the successful publishes' latencies.</summary>
    public double Percentile(double p) => ResultsReport.Percentile(SortedLatenciesMs, p);
}

/// <summary>
/// N senders publishing to an Event Hub back to back for a fixed time: each event is one batch of records (a JSON array,
/// the project key in its <c>api-key</c> property, as the <c>IngestEvents</c> function reads it), and each publish fills
/// about one hub batch, so its latency is about one send.
/// </summary>
internal static class HubLoad
{
    public static async Task<HubLevelResult> RunAsync(EventHubProducerClient producer, string apiKey, BatchSource batches, DriverOptions options, int senders, CancellationToken cancellationToken)
    {
        var publisher = new EventBatchPublisher(producer);
        long maxBatchBytes;
        using (var probe = await producer.CreateBatchAsync(cancellationToken))
        {
            maxBatchBytes = probe.MaximumSizeInBytes;
        }

        // Room for the event's properties and framing beside its body.
        var eventsPerPublish = (int)Math.Max(1, maxBatchBytes * 9 / 10 / (batches.Next().Length + 256));
        if (options.WarmupSeconds > 0)
        {
            Console.WriteLine($"  warming up for {options.WarmupSeconds} s …");
            await MeasureAsync(publisher, apiKey, batches, options, senders, eventsPerPublish, TimeSpan.FromSeconds(options.WarmupSeconds), cancellationToken);
        }

        Console.WriteLine($"  measuring for {options.Seconds} s ({eventsPerPublish} events of {options.BatchSize} records per publish, hub batches of at most {maxBatchBytes:N0} bytes) …");
        var run = await MeasureAsync(publisher, apiKey, batches, options, senders, eventsPerPublish, TimeSpan.FromSeconds(options.Seconds), cancellationToken);
        var latencies = run.Latencies.ToArray();
        Array.Sort(latencies);
        return new HubLevelResult(senders, options.BatchSize, run.Publishes, run.Sends, run.Events, run.Failed, run.Elapsed, latencies, run.FirstFailure);
    }

    private static async Task<Run> MeasureAsync(EventBatchPublisher publisher, string apiKey, BatchSource batches, DriverOptions options, int senders, int eventsPerPublish, TimeSpan duration, CancellationToken cancellationToken)
    {
        var run = new Run();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(() => SendAsync(publisher, apiKey, batches, options, eventsPerPublish, run, clock, duration, cancellationToken), cancellationToken)));
        run.Elapsed = clock.Elapsed;
        return run;
    }

    private static async Task SendAsync(EventBatchPublisher publisher, string apiKey, BatchSource batches, DriverOptions options, int eventsPerPublish, Run run, Stopwatch clock, TimeSpan duration, CancellationToken cancellationToken)
    {
        var latencies = new List<double>();
        while (clock.Elapsed < duration && Interlocked.Increment(ref run.Started) <= options.MaxBatches && !cancellationToken.IsCancellationRequested)
        {
            var events = Enumerable.Range(0, eventsPerPublish).Select(_ => Event(batches.Next(), apiKey, options.BatchSize)).ToList();
            var start = Stopwatch.GetTimestamp();
            try
            {
                var published = await publisher.PublishAsync(events, cancellationToken);
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                Interlocked.Increment(ref run.Publishes);
                Interlocked.Add(ref run.Sends, published.Batches);
                Interlocked.Add(ref run.Events, published.Events);
            }
            catch (EventHubsException e)
            {
                Interlocked.Increment(ref run.Failed);
                Interlocked.CompareExchange(ref run.FirstFailure, $"{e.Reason}: {e.Message}", null);
            }
        }

        lock (run.Latencies)
        {
            run.Latencies.AddRange(latencies);
        }
    }

    private static NamedEvent Event(byte[] batch, string apiKey, int records)
    {
        var data = new EventData(batch) { ContentType = "application/json" };
        data.Properties["api-key"] = apiKey;
        return new NamedEvent($"An event of {records} call records", data);
    }

    private sealed class Run
    {
        public readonly List<double> Latencies = [];
        public long Started;
        public long Publishes;
        public long Sends;
        public long Events;
        public long Failed;
        public string? FirstFailure;
        public TimeSpan Elapsed;
    }
}
