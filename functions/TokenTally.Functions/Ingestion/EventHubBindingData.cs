using System.Globalization;
using System.Text.Json;
using TokenTally.Application.Ingestion;

namespace TokenTally.Functions.Ingestion;

/// <summary>
/// Reads a batch's binding data (partition context and the per-event offset, sequence number, enqueued time and
/// application properties arrays) into typed values. The host passes each as JSON text, which the documentation does not
/// promise, so other shapes are read too; metadata that cannot be read is left out rather than failing the batch, whose
/// records must still be stored or dead-lettered.
/// </summary>
public static class EventHubBindingData
{
    public static EventHubBatch Read(string[] bodies, IReadOnlyDictionary<string, object?> data)
    {
        ArgumentNullException.ThrowIfNull(bodies);
        ArgumentNullException.ThrowIfNull(data);
        var offsets = Array(data, "OffsetArray", bodies.Length);
        var sequences = Array(data, "SequenceNumberArray", bodies.Length);
        var enqueued = Array(data, "EnqueuedTimeUtcArray", bodies.Length);
        var properties = Array(data, "PropertiesArray", bodies.Length);
        string? partition = null, hub = null;
        if (Json(data, "PartitionContext") is { ValueKind: JsonValueKind.Object } context)
        {
            partition = Text(Property(context, "PartitionId"));
            hub = Text(Property(context, "EventHubName"));
        }

        var events = bodies.Select((body, i) => new EventHubEvent(
            body,
            PropertiesOf(properties?[i]),
            Text(offsets?[i]),
            sequences?[i] is { } sequence && long.TryParse(Text(sequence), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : null,
            enqueued?[i] is { } time && DateTimeOffset.TryParse(Text(time), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at : null)).ToList();
        return new EventHubBatch(hub, partition, events);
    }

    private static JsonElement?[]? Array(IReadOnlyDictionary<string, object?> data, string name, int expected) =>
        Json(data, name) is { ValueKind: JsonValueKind.Array } array && array.GetArrayLength() == expected
            ? array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? (JsonElement?)null : e).ToArray()
            : null;

    /// <summary>A binding value as JSON: JSON text (also when encoded twice), an element, or any other value serialized.</summary>
    private static JsonElement? Json(IReadOnlyDictionary<string, object?> data, string name)
    {
        if (!data.TryGetValue(name, out var value) || value is null)
        {
            return null;
        }

        var element = value switch
        {
            JsonElement e => e,
            string text => Parse(text),
            _ => Serialize(value),
        };
        return element is { ValueKind: JsonValueKind.String } encoded ? Parse(encoded.GetString()!) : element;
    }

    /// <summary>A value of another type as JSON; null when it cannot be written as JSON (NaN, a type, a delegate, a cycle).</summary>
    private static JsonElement? Serialize(object value)
    {
        try
        {
            return JsonSerializer.SerializeToElement(value);
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static JsonElement? Parse(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(text);
        }
    }

    private static JsonElement? Property(JsonElement obj, string name)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    private static string? Text(JsonElement? value) => value switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        { ValueKind: JsonValueKind.Null } => null,
        { } other => other.GetRawText(),
    };

    private static Dictionary<string, string> PropertiesOf(JsonElement? value)
    {
        var properties = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (value is { ValueKind: JsonValueKind.String } encoded)
        {
            value = Parse(encoded.GetString()!);
        }

        if (value is { ValueKind: JsonValueKind.Object } obj)
        {
            foreach (var property in obj.EnumerateObject())
            {
                properties[property.Name] = Text(property.Value) ?? string.Empty;
            }
        }

        return properties;
    }
}
