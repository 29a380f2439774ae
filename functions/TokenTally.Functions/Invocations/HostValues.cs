using System.Globalization;
using System.Text.Json;

namespace TokenTally.Functions.Invocations;

/// <summary>
/// Reads values the way the Functions host writes them: strings, numbers, arrays and dates often
/// arrive as JSON strings holding JSON (<c>"\"abc\""</c>, <c>"1"</c>, <c>"[1,2]"</c>), while the
/// documentation shows them single-encoded. Both readings are accepted.
/// </summary>
public static class HostValues
{
    private const int MaxLayers = 3;

    /// <summary>Peels string layers until the value is JSON that is not a string holding JSON.</summary>
    public static JsonElement Unwrap(JsonElement value)
    {
        for (var layer = 0; layer < MaxLayers && value.ValueKind == JsonValueKind.String; layer++)
        {
            var text = value.GetString()!;
            if (!LooksLikeJson(text) || !TryParse(text, out var inner))
            {
                break;
            }

            value = inner;
        }

        return value;
    }

    /// <summary>The text of a string value (queue message, id), peeling double encoding but never parsing the text itself.</summary>
    public static string? AsText(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var text = value.GetString()!;
        for (var layer = 0; layer < MaxLayers && text.StartsWith('"') && TryParse(text, out var inner) && inner.ValueKind == JsonValueKind.String; layer++)
        {
            text = inner.GetString()!;
        }

        return text;
    }

    public static bool TryReadDate(JsonElement value, out DateTimeOffset date)
    {
        date = default;
        var text = AsText(value);
        return text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out date);
    }

    public static bool TryReadLong(JsonElement value, out long number)
    {
        var unwrapped = Unwrap(value);
        if (unwrapped.ValueKind == JsonValueKind.Number)
        {
            return unwrapped.TryGetInt64(out number);
        }

        number = 0;
        return AsText(unwrapped) is { } text && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out number);
    }

    public static bool TryReadBool(JsonElement value, out bool flag)
    {
        var unwrapped = Unwrap(value);
        if (unwrapped.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            flag = unwrapped.GetBoolean();
            return true;
        }

        flag = false;
        return AsText(unwrapped) is { } text && bool.TryParse(text, out flag);
    }

    /// <summary>Reads Metadata.sys, tolerating its absence (the host always sends it; tools may not).</summary>
    public static SystemMetadata ReadSystem(InvocationRequest request, FieldErrors errors)
    {
        if (!request.Metadata.TryGetValue("sys", out var raw) || raw.ValueKind == JsonValueKind.Null)
        {
            return new SystemMetadata(null, null, null);
        }

        var sys = Unwrap(raw);
        if (sys.ValueKind != JsonValueKind.Object)
        {
            errors.Add("Metadata.sys", "Metadata.sys must be an object with MethodName, UtcNow and RandGuid.");
            return new SystemMetadata(null, null, null);
        }

        DateTimeOffset? utcNow = null;
        if (TryGet(sys, "UtcNow", out var now))
        {
            if (TryReadDate(now, out var parsed))
            {
                utcNow = parsed;
            }
            else
            {
                errors.Add("Metadata.sys.UtcNow", "Metadata.sys.UtcNow must be an ISO 8601 date.");
            }
        }

        return new SystemMetadata(
            TryGet(sys, "MethodName", out var method) ? AsText(method) : null,
            utcNow,
            TryGet(sys, "RandGuid", out var guid) ? AsText(guid) : null);
    }

    /// <summary>Case-insensitive property lookup that treats JSON null as absent.</summary>
    public static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind != JsonValueKind.Null)
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    private static bool LooksLikeJson(string text)
    {
        var trimmed = text.AsSpan().TrimStart();
        return trimmed.Length > 0 && trimmed[0] is '{' or '[' or '"';
    }

    private static bool TryParse(string text, out JsonElement element)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            element = document.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            element = default;
            return false;
        }
    }
}
