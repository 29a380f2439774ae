using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using TokenTally.Core.Sketches;

namespace TokenTally.Application.Rollups;

/// <summary>
/// Stores a sketch as the base64url of <see cref="DDSketchStateEncoding"/>: a few hundred bytes that read back
/// quickly, in an alphabet JSON writers never escape, so the reader decodes the raw UTF-8 in place.
/// </summary>
public static class StoredSketch
{
    private const int StackLimit = 1024;

    public static DDSketch Read(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String when !reader.ValueIsEscaped && !reader.HasValueSequence => Decode(reader.ValueSpan),
        JsonTokenType.String => DDSketchStateEncoding.DecodeSketch(Base64Url.DecodeFromChars(reader.GetString())),
        _ => throw new JsonException($"A stored sketch is a base64url string, not {reader.TokenType}."),
    };

    public static void Write(Utf8JsonWriter writer, DDSketch value) =>
        writer.WriteStringValue(Base64Url.EncodeToString(DDSketchStateEncoding.Encode(value.ToState())));

    private static DDSketch Decode(ReadOnlySpan<byte> utf8)
    {
        var length = Base64Url.GetMaxDecodedLength(utf8.Length);
        byte[]? rented = null;
        var buffer = length <= StackLimit ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            if (Base64Url.DecodeFromUtf8(utf8, buffer, out _, out var written) != OperationStatus.Done)
            {
                throw new JsonException("A stored sketch is not valid base64url.");
            }

            return DDSketchStateEncoding.DecodeSketch(buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
