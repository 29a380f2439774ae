using System.Text.Json;

namespace TokenTally.Core.Calls;

/// <summary>How a batch body is laid out.</summary>
public enum BatchFormat
{
    /// <summary>A JSON array of records, or an object <c>{"events": [...]}</c>.</summary>
    Json,

    /// <summary>One JSON record per line.</summary>
    NdJson,
}

/// <summary>Splits a batch body into the bytes of each record, without parsing the records themselves.</summary>
public static class CallBatch
{
    /// <summary>The records of <paramref name="body"/> as slices, or the reason the body as a whole is unreadable.</summary>
    /// <param name="body">The (decompressed) request body.</param>
    /// <param name="format">JSON or NDJSON.</param>
    /// <param name="records">Receives one slice per record, in order; for NDJSON, blank lines are skipped.</param>
    /// <returns>Null when the body was split, else what is wrong with it.</returns>
    public static string? Split(ReadOnlyMemory<byte> body, BatchFormat format, List<ReadOnlyMemory<byte>> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        return format == BatchFormat.NdJson ? SplitLines(body, records) : SplitJson(body, records);
    }

    private static string? SplitLines(ReadOnlyMemory<byte> body, List<ReadOnlyMemory<byte>> records)
    {
        var rest = body;
        while (!rest.IsEmpty)
        {
            var end = rest.Span.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? ReadOnlyMemory<byte>.Empty : rest[(end + 1)..];
            var trimmed = Trim(line);
            if (!trimmed.IsEmpty)
            {
                records.Add(trimmed);
            }
        }

        return records.Count == 0 ? "The body holds no records." : null;
    }

    private static string? SplitJson(ReadOnlyMemory<byte> body, List<ReadOnlyMemory<byte>> records)
    {
        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return "The body is empty.";
        }

        try
        {
            var reader = new Utf8JsonReader(body.Span, new JsonReaderOptions { MaxDepth = 16 });
            if (!reader.Read())
            {
                return "The body is empty.";
            }

            if (reader.TokenType == JsonTokenType.StartObject)
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("events"u8) || !reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                {
                    return "A JSON object body must be {\"events\": [ … ]}.";
                }
            }
            else if (reader.TokenType != JsonTokenType.StartArray)
            {
                return "The body must be a JSON array of records, {\"events\": [ … ]}, or NDJSON (Content-Type: application/x-ndjson).";
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                records.Add(body[start..(int)reader.BytesConsumed]);
            }

            if (reader.CurrentDepth > 0 && reader.TokenType == JsonTokenType.EndArray && reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                return "Only the \"events\" property is allowed in a JSON object body.";
            }

            return records.Count == 0 ? "The batch is empty." : null;
        }
        catch (JsonException e)
        {
            records.Clear();
            return $"The body is not valid JSON: {e.Message}";
        }
    }

    private static ReadOnlyMemory<byte> Trim(ReadOnlyMemory<byte> line)
    {
        var span = line.Span;
        var start = 0;
        var end = span.Length;
        while (start < end && span[start] is (byte)' ' or (byte)'\t' or (byte)'\r')
        {
            start++;
        }

        while (end > start && span[end - 1] is (byte)' ' or (byte)'\t' or (byte)'\r')
        {
            end--;
        }

        return line[start..end];
    }
}
