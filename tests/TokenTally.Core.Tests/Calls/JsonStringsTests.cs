using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using TokenTally.Core.Calls;

namespace TokenTally.Core.Tests.Calls;

/// <summary>The check must pass exactly the strings the reader can read, so that reading after it never throws.</summary>
public sealed class JsonStringsTests
{
    private static readonly byte[][] Pieces =
    [
        "a"u8.ToArray(), "Z9"u8.ToArray(), "é"u8.ToArray(), "😀"u8.ToArray(), @"\\"u8.ToArray(), @"\"""u8.ToArray(), @"\n"u8.ToArray(),
        @"\u0041"u8.ToArray(), @"\u00e9"u8.ToArray(), @"\u0000"u8.ToArray(), @"\ud800"u8.ToArray(), @"\uDBFF"u8.ToArray(),
        @"\udc00"u8.ToArray(), @"\uDFFF"u8.ToArray(), @"\ud83d\ude00"u8.ToArray(), @"\\u"u8.ToArray(), "u"u8.ToArray(),
        [0xC3, 0x28], [0xF0, 0x9F], [0xED, 0xA0, 0x80], [0xFF], [0x80], [0xC3], [0xA9],
    ];

    private static readonly Gen<byte[]> Contents =
        from pieces in Gen.ArrayOf(Gen.Elements(Pieces))
        select pieces.SelectMany(piece => piece).ToArray();

    [Fact]
    public void TheCheckPassesExactlyWhatGetStringReads()
    {
        var property = Prop.ForAll(Contents.ToArbitrary(), content =>
        {
            foreach (var json in new[] { [(byte)'"', .. content, (byte)'"'], Encoding.UTF8.GetBytes("{\"").Concat(content).Concat("\":1}"u8.ToArray()).ToArray() })
            {
                var reader = new Utf8JsonReader(json);
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    reader.Read(); // the property name
                }

                Assert.Equal(Reads(reader), JsonStrings.Check(ref reader) == TextProblem.None);
            }
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(5_000), property);
    }

    [Theory]
    [InlineData(@"plain", "None")]
    [InlineData(@"caf\u00e9 \ud83d\ude00", "None")]
    [InlineData(@"\\ud800", "None")]
    [InlineData(@"\ud800", "UnpairedSurrogate")]
    [InlineData(@"\udfff", "UnpairedSurrogate")]
    [InlineData(@"\ud800\u0041", "UnpairedSurrogate")]
    [InlineData(@"\ud800\ud800\udc00", "UnpairedSurrogate")]
    [InlineData(@"\ud800\\udc00", "UnpairedSurrogate")]
    public void EscapesAreCheckedForUnpairedSurrogates(string content, string expected) =>
        Assert.Equal(expected, JsonStrings.Check(Encoding.ASCII.GetBytes(content), escaped: true).ToString());

    [Fact]
    public void BytesThatAreNotUtf8AreInvalidUtf8() =>
        Assert.Equal(TextProblem.InvalidUtf8, JsonStrings.Check([0x61, 0xED, 0xA0, 0x80], escaped: false));

    private static bool Reads(Utf8JsonReader reader)
    {
        try
        {
            _ = reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
