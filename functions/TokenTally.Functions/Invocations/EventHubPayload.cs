using System.Text.Json;

namespace TokenTally.Functions.Invocations;

/// <summary>One event of an Event Hubs batch: its body text and where it sat in the hub.</summary>
public sealed record EventHubEvent(string Body, string? Offset, long? SequenceNumber, DateTimeOffset? EnqueuedTime, IReadOnlyDictionary<string, string> Properties);

/// <summary>An eventHubTrigger invocation with cardinality many.</summary>
public sealed record EventHubBatch(string? EventHub, string? PartitionId, IReadOnlyList<EventHubEvent> Events, SystemMetadata System);

public static class EventHubPayload
{
    /// <summary>
    /// Reads Data.&lt;name&gt; (the bodies: a JSON array, or a string holding one; elements are body
    /// strings, or objects when the host pre-parsed JSON) and the per-event metadata arrays.
    /// </summary>
    public static Parsed<EventHubBatch> Read(InvocationRequest request, string bindingName)
    {
        var errors = new FieldErrors();
        var field = $"Data.{bindingName}";
        var bodies = new List<string>();
        if (!request.Data.TryGetValue(bindingName, out var raw) || raw.ValueKind == JsonValueKind.Null)
        {
            errors.Add(field, $"{field} is required: the batch of event bodies.");
        }
        else if (HostValues.Unwrap(raw) is { ValueKind: JsonValueKind.Array } array)
        {
            foreach (var element in array.EnumerateArray())
            {
                bodies.Add(element.ValueKind == JsonValueKind.String ? HostValues.AsText(element)! : element.GetRawText());
            }
        }
        else
        {
            errors.Add(field, $"{field} must be an array of event bodies (function.json: cardinality many, dataType string).");
        }

        var offsets = ReadArray(request, "OffsetArray", bodies.Count, errors);
        var sequences = ReadArray(request, "SequenceNumberArray", bodies.Count, errors);
        var enqueued = ReadArray(request, "EnqueuedTimeUtcArray", bodies.Count, errors);
        var properties = ReadArray(request, "PropertiesArray", bodies.Count, errors);
        string? partition = null, hub = null;
        if (request.Metadata.TryGetValue("PartitionContext", out var context) && HostValues.Unwrap(context) is { ValueKind: JsonValueKind.Object } contextObject)
        {
            partition = HostValues.TryGet(contextObject, "PartitionId", out var id) ? HostValues.AsText(id) ?? id.GetRawText() : null;
            hub = HostValues.TryGet(contextObject, "EventHubName", out var name) ? HostValues.AsText(name) : null;
        }

        var system = HostValues.ReadSystem(request, errors);
        if (errors.Any)
        {
            return errors.ToParsed<EventHubBatch>();
        }

        var events = bodies.Select((body, i) => new EventHubEvent(
            body,
            offsets?[i] is { } offset ? HostValues.AsText(offset) ?? offset.GetRawText() : null,
            sequences?[i] is { } sequence && HostValues.TryReadLong(sequence, out var number) ? number : null,
            enqueued?[i] is { } time && HostValues.TryReadDate(time, out var date) ? date : null,
            properties?[i] is { } props ? ReadProperties(props) : new Dictionary<string, string>())).ToList();
        return Parsed<EventHubBatch>.Ok(new EventHubBatch(hub, partition, events, system));
    }

    private static JsonElement?[]? ReadArray(InvocationRequest request, string name, int expected, FieldErrors errors)
    {
        if (!request.Metadata.TryGetValue(name, out var raw) || raw.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (HostValues.Unwrap(raw) is not { ValueKind: JsonValueKind.Array } array)
        {
            errors.Add($"Metadata.{name}", $"Metadata.{name} must be an array (or a string holding one).");
            return null;
        }

        if (array.GetArrayLength() != expected)
        {
            errors.Add($"Metadata.{name}", $"Metadata.{name} has {array.GetArrayLength()} entries for {expected} events.");
            return null;
        }

        return array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? (JsonElement?)null : e).ToArray();
    }

    private static Dictionary<string, string> ReadProperties(JsonElement properties)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (HostValues.Unwrap(properties) is { ValueKind: JsonValueKind.Object } obj)
        {
            foreach (var property in obj.EnumerateObject())
            {
                result[property.Name] = property.Value.ValueKind == JsonValueKind.String ? HostValues.AsText(property.Value)! : property.Value.GetRawText();
            }
        }

        return result;
    }
}

/// <summary>An Event Hubs–triggered function (cardinality many).</summary>
public abstract class EventHubFunction : TriggeredFunction<EventHubBatch>
{
    protected sealed override Parsed<EventHubBatch> Read(InvocationRequest request, string bindingName) => EventHubPayload.Read(request, bindingName);
}
