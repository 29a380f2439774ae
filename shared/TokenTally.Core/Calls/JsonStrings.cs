using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;

namespace TokenTally.Core.Calls;

/// <summary>Why a JSON string or property name cannot be read as text.</summary>
internal enum TextProblem
{
    /// <summary>It can be read.</summary>
    None,

    /// <summary>Its bytes are not UTF-8.</summary>
    InvalidUtf8,

    /// <summary>It escapes half a surrogate pair (<c>\ud800</c>–<c>\udfff</c>) without the other half.</summary>
    UnpairedSurrogate,
}

/// <summary>
/// Tells whether the string token a <see cref="Utf8JsonReader"/> is on can be read as text, without reading it:
/// <see cref="Utf8JsonReader.GetString"/> (and every other way of unescaping) throws on invalid UTF-8 and on unpaired
/// surrogate escapes, which the reader's <see cref="Utf8JsonReader.Read"/> lets through. Checking first keeps bad input
/// a field error rather than an exception, and costs nothing on the common path of plain ASCII.
/// </summary>
internal static class JsonStrings
{
    /// <summary>What keeps the string or property name <paramref name="reader"/> is on from being read, if anything.</summary>
    public static TextProblem Check(ref readonly Utf8JsonReader reader) =>
        Check(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan, reader.ValueIsEscaped);

    /// <summary>What keeps a JSON string's content from being read, if anything.</summary>
    /// <param name="raw">The content as it stands in the JSON, between the quotes; its escapes as the reader checked them.</param>
    /// <param name="escaped">Whether <paramref name="raw"/> holds escapes.</param>
    public static TextProblem Check(ReadOnlySpan<byte> raw, bool escaped) =>
        !Utf8.IsValid(raw) ? TextProblem.InvalidUtf8
        : escaped && HasUnpairedSurrogate(raw) ? TextProblem.UnpairedSurrogate
        : TextProblem.None;

    /// <summary>The message for a problem of <paramref name="subject"/> (<c>userId</c>, <c>A tag key</c> …).</summary>
    public static string Describe(string subject, TextProblem problem) => problem switch
    {
        TextProblem.InvalidUtf8 => $"{subject} is not valid UTF-8.",
        _ => $"{subject} holds an unpaired surrogate (an escape from \\ud800 to \\udfff without its other half), so it is not valid Unicode.",
    };

    /// <summary>
    /// Whether a <c>\uXXXX</c> escape of a high surrogate is not followed at once by one of a low surrogate, or one of a
    /// low surrogate does not follow a high one: what unescaping rejects. An escape cut short counts as unpaired.
    /// </summary>
    private static bool HasUnpairedSurrogate(ReadOnlySpan<byte> raw)
    {
        var rest = raw;
        while (rest.IndexOf((byte)'\\') is var slash and >= 0)
        {
            if (slash + 1 >= rest.Length)
            {
                return true;
            }

            if (rest[slash + 1] != (byte)'u')
            {
                rest = rest[(slash + 2)..]; // \" \\ \/ \b \f \n \r \t
                continue;
            }

            if (!TryUnit(rest[(slash + 2)..], out var unit))
            {
                return true;
            }

            rest = rest[(slash + 6)..];
            if (!char.IsSurrogate(unit))
            {
                continue;
            }

            if (char.IsLowSurrogate(unit) || rest.Length < 6 || rest[0] != (byte)'\\' || rest[1] != (byte)'u'
                || !TryUnit(rest[2..], out var low) || !char.IsLowSurrogate(low))
            {
                return true;
            }

            rest = rest[6..];
        }

        return false;
    }

    /// <summary>Reads the four hex digits that start <paramref name="hex"/>.</summary>
    private static bool TryUnit(ReadOnlySpan<byte> hex, out char unit)
    {
        unit = default;
        if (hex.Length < 4 || !ushort.TryParse(hex[..4], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        unit = (char)value;
        return true;
    }
}
