using System.Globalization;
using System.Text;
using TokenTally.Application.Projects;
using TokenTally.Application.Telemetry;
using TokenTally.Core.Calls;

namespace TokenTally.Application.Ingestion;

/// <summary>One event of an Event Hubs batch: its body, application properties and position in the partition.</summary>
public sealed record EventHubEvent(string Body, IReadOnlyDictionary<string, string> Properties, string? Offset, long? SequenceNumber, DateTimeOffset? EnqueuedTime);

/// <summary>A batch as the trigger delivers it.</summary>
public sealed record EventHubBatch(string? EventHub, string? PartitionId, IReadOnlyList<EventHubEvent> Events);

/// <summary>What a batch came to.</summary>
public sealed record EventHubIntakeResult(int Events, int Accepted, int DeadLettered);

/// <summary>
/// The Event Hubs intake behind <c>IngestEvents</c>. Each event carries its project API key in the application property
/// <c>api-key</c> (or <c>Authorization: Bearer …</c>) and one record or an array of records as its body. Whatever is wrong
/// with an event or a record sends that event or record alone to the dead letters, never failing the batch (the host would
/// replay it, then drop every event in it); only a storage failure throws, so the host retries the batch.
/// </summary>
public sealed class EventHubIntake(IngestionService ingestion, ApiKeyResolver keys, DeadLetters deadLetters, TokenTallyMetrics metrics, TimeProvider time)
{
    public async Task<EventHubIntakeResult> IngestAsync(EventHubBatch batch, CancellationToken cancellationToken)
    {
        var byKey = new Dictionary<IntakeKey, List<(EventHubEvent Event, BatchRecord Record, int Index)>>();
        var deadLettered = 0;
        foreach (var item in batch.Events)
        {
            var source = SourceOf(batch, item);
            var resolution = KeyOf(item) is { } key ? await keys.ResolveAsync(key, cancellationToken) : new KeyResolution.Invalid("The event has no 'api-key' application property.");
            if (resolution is not KeyResolution.ForProject { } project || !project.Scopes.HasFlag(KeyScopes.Ingest))
            {
                var reason = resolution switch
                {
                    KeyResolution.ForProject other => $"Key {other.KeyId} lacks the 'ingest' scope.",
                    KeyResolution.Invalid(var why) => why,
                    _ => "An admin key cannot send call records; use a project key with the 'ingest' scope.",
                };
                await deadLetters.WriteAsync(new DeadLetter("authentication: " + reason, source, null, null, item.Body, time.GetUtcNow()), cancellationToken);
                metrics.DeadLettered(DeadLetterReason.Authentication);
                deadLettered++;
                continue;
            }

            var intakeKey = new IntakeKey(project.Tenant, project.Project);
            var single = item.Body.AsSpan().TrimStart().StartsWith("{", StringComparison.Ordinal);
            var reading = ingestion.Read(intakeKey, Encoding.UTF8.GetBytes(item.Body), single ? BatchFormat.Record : BatchFormat.Json, assignId: PositionalIds(batch, item));
            if (reading.Error is { } error)
            {
                await deadLetters.WriteAsync(new DeadLetter("unreadable body: " + error, source, null, null, item.Body, time.GetUtcNow()), cancellationToken);
                metrics.DeadLettered(DeadLetterReason.UnreadableBody);
                deadLettered++;
                continue;
            }

            if (!byKey.TryGetValue(intakeKey, out var list))
            {
                byKey[intakeKey] = list = [];
            }

            list.AddRange(reading.Records.Select((record, index) => (item, record, index)));
        }

        var accepted = 0;
        foreach (var (key, items) in byKey)
        {
            var result = await ingestion.IngestAsync(key, items.Select(i => i.Record).ToList(), Intake.EventHubs, cancellationToken);
            if (result.ProjectGone)
            {
                foreach (var (item, record, index) in items)
                {
                    await deadLetters.WriteAsync(new DeadLetter($"the key's project {key.Tenant}/{key.Project} no longer exists", SourceOf(batch, item), index, null, Encoding.UTF8.GetString(record.Json.Span), time.GetUtcNow()), cancellationToken);
                    metrics.DeadLettered(DeadLetterReason.ProjectGone);
                    deadLettered++;
                }

                continue;
            }

            accepted += result.Accepted;
            foreach (var rejected in result.Rejected)
            {
                var (item, record, index) = items[rejected.Index];
                await deadLetters.WriteAsync(new DeadLetter("invalid record", SourceOf(batch, item), index, rejected.Errors, Encoding.UTF8.GetString(record.Json.Span), time.GetUtcNow()), cancellationToken);
                metrics.DeadLettered(DeadLetterReason.InvalidRecord);
                deadLettered++;
            }
        }

        return new EventHubIntakeResult(batch.Events.Count, accepted, deadLettered);
    }

    private static EventSource SourceOf(EventHubBatch batch, EventHubEvent item) =>
        new(batch.EventHub, batch.PartitionId, item.Offset, item.SequenceNumber, item.EnqueuedTime);

    /// <summary>
    /// Ids for the records of an event sent without one, from the event's place in its hub (<c>eh:hub:partition:sequence:n</c>):
    /// a redelivered batch (the host retries it after a storage failure, or replays it after a crash) then stores each such
    /// record once, where new random ids would store it again. Random ids (null here) only when the place is unknown.
    /// </summary>
    private static Func<string>? PositionalIds(EventHubBatch batch, EventHubEvent item)
    {
        if (batch.EventHub is not { Length: > 0 } hub || batch.PartitionId is not { Length: > 0 } partition || item.SequenceNumber is not { } sequence)
        {
            return null;
        }

        var prefix = string.Create(CultureInfo.InvariantCulture, $"eh:{IdPart(hub, 64)}:{IdPart(partition, 16)}:{sequence}:");
        var next = 0;
        return () => prefix + (next++).ToString(CultureInfo.InvariantCulture);
    }

    private static string IdPart(string text, int maxLength) =>
        new(text.Take(maxLength).Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_').ToArray());

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
