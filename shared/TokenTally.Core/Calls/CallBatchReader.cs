using System.Text.Json;

namespace TokenTally.Core.Calls;

/// <summary>How a batch body is laid out.</summary>
public enum BatchFormat
{
    /// <summary>A JSON array of records, or an object <c>{"events": [...]}</c>.</summary>
    Json,

    /// <summary>One JSON record per line.</summary>
    NdJson,

    /// <summary>The whole body is one record (an Event Hubs message that is not an array).</summary>
    Record,
}

/// <summary>One record of a batch as read: its event when valid, else every error that rejects it.</summary>
/// <param name="Json">The record's bytes, to keep a rejected record by (a dead letter).</param>
/// <param name="Event">The parsed and validated event; null when the record is rejected.</param>
/// <param name="SentId">The id as sent, to report a rejected record by (null when absent or unreadable).</param>
/// <param name="Errors">Why the record is rejected; empty when it is valid.</param>
public readonly record struct BatchRecord(ReadOnlyMemory<byte> Json, CallEvent? Event, string? SentId, IReadOnlyList<FieldError> Errors);

/// <summary>A batch body as read: its records in order, or the one reason the body as a whole is unreadable.</summary>
public sealed class CallBatchReading
{
    private CallBatchReading(string? error, int recordCount, IReadOnlyList<BatchRecord> records) =>
        (Error, RecordCount, Records) = (error, recordCount, records);

    /// <summary>What is wrong with the body as a whole; null when it was read.</summary>
    public string? Error { get; }

    /// <summary>How many records the body holds (0 when <see cref="Error"/> is set).</summary>
    public int RecordCount { get; }

    /// <summary>Every record, in order; empty when the body is unreadable or holds more records than the reader's limit.</summary>
    public IReadOnlyList<BatchRecord> Records { get; }

    internal static CallBatchReading Unreadable(string error) => new(error, 0, []);

    internal static CallBatchReading TooMany(int recordCount) => new(null, recordCount, []);

    internal static CallBatchReading Read(List<BatchRecord> records) => new(null, records.Count, records);
}

/// <summary>
/// Reads a batch body and parses each record in the same pass: one <see cref="Utf8JsonReader"/> over a JSON body, each
/// element parsed straight from it. Malformed JSON anywhere makes the whole body unreadable (one error, no records),
/// never hundreds of rejected ones; in NDJSON each line is its own record, so a malformed line rejects only itself.
/// </summary>
public static class CallBatchReader
{
    private static readonly JsonReaderOptions BodyOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 16 };

    /// <summary>Reads and parses every record of <paramref name="body"/>.</summary>
    /// <param name="body">The (decompressed) body.</param>
    /// <param name="format">How the body is laid out.</param>
    /// <param name="context">The sending key's tenant and project, the clock and the retention.</param>
    /// <param name="assignId">Makes an id for a record that has none.</param>
    /// <param name="maxRecords">Past this many records none is parsed (the rest is only checked and counted); unlimited by default.</param>
    public static CallBatchReading Read(ReadOnlyMemory<byte> body, BatchFormat format, CallEventContext context, Func<string> assignId, int maxRecords = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(assignId);
        return format switch
        {
            BatchFormat.NdJson => ReadLines(body, context, assignId, maxRecords),
            BatchFormat.Record => CallBatchReading.Read([ReadRecord(body, context, assignId, [])]),
            _ => ReadJson(body, context, assignId, maxRecords),
        };
    }

    private static CallBatchReading ReadLines(ReadOnlyMemory<byte> body, CallEventContext context, Func<string> assignId, int maxRecords)
    {
        var lines = new List<ReadOnlyMemory<byte>>();
        var rest = body;
        while (!rest.IsEmpty)
        {
            var end = rest.Span.IndexOf((byte)'\n');
            var line = Trim(end < 0 ? rest : rest[..end]);
            rest = end < 0 ? ReadOnlyMemory<byte>.Empty : rest[(end + 1)..];
            if (!line.IsEmpty)
            {
                lines.Add(line);
            }
        }

        if (lines.Count == 0)
        {
            return CallBatchReading.Unreadable("The body holds no records.");
        }

        if (lines.Count > maxRecords)
        {
            return CallBatchReading.TooMany(lines.Count);
        }

        var records = new List<BatchRecord>(lines.Count);
        var errors = new List<FieldError>();
        foreach (var line in lines)
        {
            records.Add(ReadRecord(line, context, assignId, errors));
        }

        return CallBatchReading.Read(records);
    }

    private static BatchRecord ReadRecord(ReadOnlyMemory<byte> json, CallEventContext context, Func<string> assignId, List<FieldError> errors)
    {
        errors.Clear();
        var callEvent = CallEventParser.Parse(json.Span, context, errors, assignId, out var sentId);
        return new BatchRecord(json, callEvent, sentId, errors.Count == 0 ? [] : errors.ToArray());
    }

    private static CallBatchReading ReadJson(ReadOnlyMemory<byte> body, CallEventContext context, Func<string> assignId, int maxRecords)
    {
        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return CallBatchReading.Unreadable("The body is empty.");
        }

        // Records are rarely under 200 bytes; sizing the list up front spares it regrowing through a large batch.
        var records = new List<BatchRecord>(Math.Min(maxRecords, (body.Length / 200) + 1));
        var errors = new List<FieldError>();
        var count = 0;
        try
        {
            var reader = new Utf8JsonReader(body.Span, BodyOptions);
            if (!reader.Read())
            {
                return CallBatchReading.Unreadable("The body is empty.");
            }

            if (reader.TokenType == JsonTokenType.StartObject)
            {
                // ValueTextEquals unescapes, and throws on what is not valid Unicode: check first.
                if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName || JsonStrings.Check(ref reader) != TextProblem.None
                    || !reader.ValueTextEquals("events"u8) || !reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                {
                    return CallBatchReading.Unreadable("A JSON object body must be {\"events\": [ … ]}.");
                }
            }
            else if (reader.TokenType != JsonTokenType.StartArray)
            {
                return CallBatchReading.Unreadable("The body must be a JSON array of records, {\"events\": [ … ]}, or NDJSON (Content-Type: application/x-ndjson).");
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var start = (int)reader.TokenStartIndex;
                if (++count > maxRecords)
                {
                    reader.Skip();
                    continue;
                }

                errors.Clear();
                CallEvent? callEvent = null;
                string? sentId = null;
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    callEvent = CallEventParser.ParseObject(ref reader, context, errors, assignId, out sentId);
                }
                else
                {
                    errors.Add(CallEventParser.NotAnObject);
                    reader.Skip();
                }

                records.Add(new BatchRecord(body[start..(int)reader.BytesConsumed], callEvent, sentId, errors.Count == 0 ? [] : errors.ToArray()));
            }

            if (reader.CurrentDepth > 0 && reader.TokenType == JsonTokenType.EndArray && reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                return CallBatchReading.Unreadable("Only the \"events\" property is allowed in a JSON object body.");
            }

            // Past the body's array (or object) only white space may follow: the reader throws on anything else.
            if (reader.Read())
            {
                return CallBatchReading.Unreadable("The body is not valid JSON: content follows its end.");
            }
        }
        catch (JsonException e)
        {
            return CallBatchReading.Unreadable($"The body is not valid JSON: {e.Message}");
        }

        return count == 0 ? CallBatchReading.Unreadable("The batch is empty.")
            : count > maxRecords ? CallBatchReading.TooMany(count)
            : CallBatchReading.Read(records);
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
