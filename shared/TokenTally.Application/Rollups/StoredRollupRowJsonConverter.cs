using System.Text.Json;
using System.Text.Json.Serialization;
using TokenTally.Core.Rollups;
using TokenTally.Core.Sketches;

namespace TokenTally.Application.Rollups;

/// <summary>
/// Reads and writes <see cref="StoredRollupRow"/> by hand: a cost query reads thousands of rows, and the serializer's
/// constructor-parameter path for the row and its totals costs more than the parsing itself. The shape is camelCase, as
/// the serializer would write it.
/// </summary>
internal sealed class StoredRollupRowJsonConverter : JsonConverter<StoredRollupRow>
{
    public override StoredRollupRow Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        string? cube = null;
        DateTimeOffset? hour = null;
        string[]? key = null;
        RollupTotals? totals = null;
        DDSketch? latency = null;
        DDSketch? timeToFirstToken = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader;
            reader.Read();
            if (name.ValueTextEquals("cube"u8))
            {
                cube = reader.GetString();
            }
            else if (name.ValueTextEquals("hour"u8))
            {
                hour = reader.GetDateTimeOffset();
            }
            else if (name.ValueTextEquals("key"u8))
            {
                key = ReadStrings(ref reader);
            }
            else if (name.ValueTextEquals("totals"u8))
            {
                totals = ReadTotals(ref reader);
            }
            else if (name.ValueTextEquals("latency"u8))
            {
                latency = StoredSketch.Read(ref reader);
            }
            else if (name.ValueTextEquals("timeToFirstToken"u8))
            {
                timeToFirstToken = StoredSketch.Read(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        Expect(ref reader, JsonTokenType.EndObject);
        return new StoredRollupRow(
            cube ?? Missing<string>("cube"), hour ?? Missing<DateTimeOffset>("hour"), key ?? Missing<string[]>("key"), totals ?? Missing<RollupTotals>("totals"),
            latency ?? Missing<DDSketch>("latency"), timeToFirstToken ?? Missing<DDSketch>("timeToFirstToken"));
    }

    public override void Write(Utf8JsonWriter writer, StoredRollupRow value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("cube"u8, value.Cube);
        writer.WriteString("hour"u8, value.Hour);
        writer.WriteStartArray("key"u8);
        foreach (var part in value.Key)
        {
            writer.WriteStringValue(part);
        }

        writer.WriteEndArray();
        writer.WritePropertyName("totals"u8);
        JsonSerializer.Serialize(writer, value.Totals, options);
        writer.WritePropertyName("latency"u8);
        StoredSketch.Write(writer, value.Latency);
        writer.WritePropertyName("timeToFirstToken"u8);
        StoredSketch.Write(writer, value.TimeToFirstToken);
        writer.WriteEndObject();
    }

    private static string[] ReadStrings(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartArray);
        var values = new List<string>(12);
        while (reader.Read() && reader.TokenType == JsonTokenType.String)
        {
            values.Add(reader.GetString()!);
        }

        Expect(ref reader, JsonTokenType.EndArray);
        return [.. values];
    }

    private static RollupTotals ReadTotals(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        long calls = 0, errors = 0, input = 0, cachedInput = 0, cacheWrite = 0, output = 0, reasoning = 0, unpriced = 0;
        var cost = 0m;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader;
            reader.Read();
            if (name.ValueTextEquals("calls"u8))
            {
                calls = reader.GetInt64();
            }
            else if (name.ValueTextEquals("errors"u8))
            {
                errors = reader.GetInt64();
            }
            else if (name.ValueTextEquals("inputTokens"u8))
            {
                input = reader.GetInt64();
            }
            else if (name.ValueTextEquals("cachedInputTokens"u8))
            {
                cachedInput = reader.GetInt64();
            }
            else if (name.ValueTextEquals("cacheWriteTokens"u8))
            {
                cacheWrite = reader.GetInt64();
            }
            else if (name.ValueTextEquals("outputTokens"u8))
            {
                output = reader.GetInt64();
            }
            else if (name.ValueTextEquals("reasoningTokens"u8))
            {
                reasoning = reader.GetInt64();
            }
            else if (name.ValueTextEquals("costUsd"u8))
            {
                cost = reader.GetDecimal();
            }
            else if (name.ValueTextEquals("unpricedCalls"u8))
            {
                unpriced = reader.GetInt64();
            }
            else
            {
                reader.Skip();
            }
        }

        Expect(ref reader, JsonTokenType.EndObject);
        return new RollupTotals(calls, errors, input, cachedInput, cacheWrite, output, reasoning, cost, unpriced);
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType token)
    {
        if (reader.TokenType != token)
        {
            throw new JsonException($"A stored rollup row has {reader.TokenType} where {token} belongs.");
        }
    }

    private static T Missing<T>(string property) => throw new JsonException($"A stored rollup row lacks '{property}'.");
}
