using System.Text;
using TokenTally.Core.Calls;
using TokenTally.Functions.Invocations;
using TokenTally.Functions.Projects;

namespace TokenTally.Functions.Ingestion;

/// <summary>
/// The Event Hubs intake (cardinality many). Each event carries its project API key in the
/// application property <c>api-key</c> (or <c>Authorization: Bearer …</c>) and one record or an
/// array of records as its body. Bad data goes to the dead-letter store and never fails the
/// invocation (that would replay the batch forever); a storage failure does, so the host retries.
/// </summary>
public sealed class IngestEventsFunction(IngestionService ingestion, ApiKeyResolver keys, DeadLetters deadLetters, TimeProvider time) : EventHubFunction
{
    public const string Name = "IngestEvents";

    public override string FunctionName => Name;

    protected override async Task<InvocationResult> RunAsync(EventHubBatch batch, InvocationContext context, CancellationToken cancellationToken)
    {
        var byKey = new Dictionary<ProjectKey, List<(EventHubEvent Event, BatchRecord Record, int Index)>>();
        var deadLettered = 0;
        foreach (var item in batch.Events)
        {
            var source = new EventSource(batch.EventHub, batch.PartitionId, item.Offset, item.SequenceNumber, item.EnqueuedTime);
            var resolution = KeyOf(item) is { } key ? await keys.ResolveAsync(key, cancellationToken) : new KeyResolution.Invalid("The event has no 'api-key' application property.");
            if (resolution is not KeyResolution.ForProject(var projectKey))
            {
                var reason = resolution is KeyResolution.Invalid(var why) ? why : "An admin key cannot send call records; use a project key.";
                await deadLetters.WriteAsync(new DeadLetter("authentication: " + reason, source, null, null, item.Body, time.GetUtcNow()), cancellationToken);
                deadLettered++;
                continue;
            }

            var single = item.Body.AsSpan().TrimStart().StartsWith("{", StringComparison.Ordinal);
            var batchOfItem = ingestion.Read(projectKey, Encoding.UTF8.GetBytes(item.Body), single ? BatchFormat.Record : BatchFormat.Json);
            if (batchOfItem.Error is { } error)
            {
                await deadLetters.WriteAsync(new DeadLetter("unreadable body: " + error, source, null, null, item.Body, time.GetUtcNow()), cancellationToken);
                deadLettered++;
                continue;
            }

            if (!byKey.TryGetValue(projectKey, out var list))
            {
                byKey[projectKey] = list = [];
            }

            list.AddRange(batchOfItem.Records.Select((record, index) => (item, record, index)));
        }

        var accepted = 0;
        foreach (var (key, items) in byKey)
        {
            var result = await ingestion.IngestAsync(key, items.Select(i => i.Record).ToList(), cancellationToken);
            accepted += result.Accepted;
            foreach (var rejected in result.Rejected)
            {
                var (item, record, index) = items[rejected.Index];
                var source = new EventSource(batch.EventHub, batch.PartitionId, item.Offset, item.SequenceNumber, item.EnqueuedTime);
                await deadLetters.WriteAsync(new DeadLetter("invalid record", source, index, rejected.Errors.Cast<object>().ToList(), Encoding.UTF8.GetString(record.Json.Span), time.GetUtcNow()), cancellationToken);
                deadLettered++;
            }
        }

        context.Log($"IngestEvents partition {batch.PartitionId ?? "?"}: {batch.Events.Count} events, {accepted} records accepted, {deadLettered} dead-lettered.");
        return InvocationResult.Done();
    }

    private static string? KeyOf(EventHubEvent item)
    {
        if (item.Properties.TryGetValue("api-key", out var key) && key.Length > 0)
        {
            return key;
        }

        return item.Properties.TryGetValue("Authorization", out var authorization) && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization["Bearer ".Length..].Trim()
            : null;
    }
}
