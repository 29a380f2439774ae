using System.Text.Json;
using System.Text.Json.Serialization;
using TokenTally.Core.Sketches;

namespace TokenTally.Functions.Pipeline;

/// <summary>
/// Stores a sketch as the base64 of <see cref="DDSketchStateEncoding"/>, a few hundred bytes that read back quickly.
/// Rows written before that hold the state as a JSON object with dense bins; those are still read.
/// </summary>
public sealed class StoredSketchJsonConverter : JsonConverter<DDSketch>
{
    public override DDSketch Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => DDSketch.FromState(DDSketchStateEncoding.Decode(reader.GetBytesFromBase64())),
        JsonTokenType.StartObject => DDSketch.FromState(JsonSerializer.Deserialize<DDSketchState>(ref reader, options)!),
        _ => throw new JsonException($"A stored sketch is a base64 string or a JSON object, not {reader.TokenType}."),
    };

    public override void Write(Utf8JsonWriter writer, DDSketch value, JsonSerializerOptions options) =>
        writer.WriteBase64StringValue(DDSketchStateEncoding.Encode(value.ToState()));
}
