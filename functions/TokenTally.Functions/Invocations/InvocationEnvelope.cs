using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace TokenTally.Functions.Invocations;

/// <summary>
/// What the Functions host POSTs to /{FunctionName}: trigger and input values keyed by binding
/// name, and trigger metadata. Values are kept as raw JSON here and read into typed records by
/// <see cref="HostValues"/>; nothing untyped travels past the handler's edge.
/// </summary>
public sealed record InvocationRequest(
    IReadOnlyDictionary<string, JsonElement> Data,
    IReadOnlyDictionary<string, JsonElement> Metadata)
{
    /// <summary>Reads the envelope, or says which field is wrong.</summary>
    public static Parsed<InvocationRequest> Parse(JsonElement body)
    {
        var errors = new FieldErrors();
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors.Add("body", $"The invocation payload must be a JSON object with Data and Metadata, not {body.ValueKind}.");
            return errors.ToParsed<InvocationRequest>();
        }

        var data = ReadSection(body, "Data", required: true, errors);
        var metadata = ReadSection(body, "Metadata", required: false, errors);
        return errors.Any ? errors.ToParsed<InvocationRequest>() : Parsed<InvocationRequest>.Ok(new InvocationRequest(data, metadata));
    }

    private static Dictionary<string, JsonElement> ReadSection(JsonElement body, string name, bool required, FieldErrors errors)
    {
        var section = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        if (!body.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                errors.Add(name, $"{name} is required: an object keyed by binding name.");
            }

            return section;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(name, $"{name} must be a JSON object, not {element.ValueKind}.");
            return section;
        }

        foreach (var property in element.EnumerateObject())
        {
            section[property.Name] = property.Value.Clone();
        }

        return section;
    }
}

/// <summary>What the handler answers: output binding values, log lines for the invocation log, and the $return value.</summary>
public sealed record InvocationResponse(
    [property: JsonPropertyName("Outputs")] IReadOnlyDictionary<string, JsonNode?> Outputs,
    [property: JsonPropertyName("Logs")] IReadOnlyList<string> Logs,
    [property: JsonPropertyName("ReturnValue")] JsonNode? ReturnValue);

/// <summary>Metadata.sys: present on every invocation.</summary>
public sealed record SystemMetadata(string? MethodName, DateTimeOffset? UtcNow, string? RandGuid);
