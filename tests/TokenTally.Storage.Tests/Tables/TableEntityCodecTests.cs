using System.Text.Json.Nodes;
using TokenTally.Storage.Documents;
using TokenTally.Storage.Tables;

namespace TokenTally.Storage.Tests.Tables;

public sealed class TableEntityCodecTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("plain|2026-11-20T10")]
    [InlineData("a/b\\c#d?e")]
    [InlineData("~7E already looks escaped ~")]
    [InlineData("\u0000\u001f\u007f\u0085")]
    [InlineData("ends with ~")]
    public void KeysRoundTripAndCarryNoCharacterTheServiceForbids(string key)
    {
        var encoded = TableEntityCodec.EncodeKey(key);

        Assert.Equal(key, TableEntityCodec.DecodeKey(encoded));
        Assert.False(encoded.AsSpan().ContainsAny(['/', '\\', '#', '?']));
        Assert.DoesNotContain(encoded, char.IsControl);
    }

    [Fact]
    public void AKeyWithoutForbiddenCharactersIsLeftAsItIs() =>
        Assert.Same("tenant|2026-11-20T10", TableEntityCodec.EncodeKey("tenant|2026-11-20T10"));

    [Fact]
    public void LongDataIsSplitOverPropertiesWithoutBreakingASurrogatePair()
    {
        // 🚀 is a surrogate pair, unescaped in this JSON text, placed so that a naive split would cut one at the first property's end.
        var text = new string('x', TableEntityCodec.MaxCharsPerProperty - "{\"text\":\"".Length - 1) + string.Concat(Enumerable.Repeat("🚀", 40_000));
        var document = DocumentWrite.FromJson("p", "id", $$"""{"text":"{{text}}"}""");

        var entity = TableEntityCodec.ToEntity(DocumentContainer.Traces, document, null, Now);

        Assert.Equal(document.DataJson, TableEntityCodec.DataOf(entity));
        Assert.Equal(4, entity.Keys.Count(k => k.StartsWith('d')));
        Assert.All(entity.Where(p => p.Key.StartsWith('d')), p =>
        {
            var part = (string)p.Value;
            Assert.InRange(part.Length, 1, TableEntityCodec.MaxCharsPerProperty);
            Assert.False(char.IsHighSurrogate(part[^1]));
        });
    }

    [Fact]
    public void TheSizeIsCountedAsTheServiceCountsIt()
    {
        var entity = TableEntityCodec.ToEntity(DocumentContainer.Calls, DocumentWrite.FromJson("pk", "id", "{}", "r", TimeSpan.FromHours(1), contentHash: "h"), null, Now);

        // 4 + keys (2 × 2 × 2) + d ("{}") 8+2+4+4 + rk 8+4+4+2 + ttl 8+6+8 + exp 8+6+8 + h 8+2+4+2.
        Assert.Equal(4 + 8 + 18 + 18 + 22 + 22 + 16, TableEntityCodec.SizeOf(entity));
    }

    [Fact]
    public void ADocumentOverOneMebibyteIsRefusedWithItsName()
    {
        var document = new DocumentWrite("tenant|2026-11-20T10", "call-7", new JsonObject { ["text"] = new string('x', 530_000) });

        var error = Assert.Throws<DocumentTooLargeException>(() => TableEntityCodec.ToEntity(DocumentContainer.Calls, document, null, Now));

        Assert.Equal(("tenant|2026-11-20T10", "call-7", DocumentContainer.Calls), (error.PartitionKey, error.Id, error.Container));
        Assert.Contains("1,048,576", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AKeyOverOneKibibyteIsRefusedWithItsDocument()
    {
        var document = new DocumentWrite(new string('p', 513), "call-8", []);

        var error = Assert.Throws<DocumentTooLargeException>(() => TableEntityCodec.ToEntity(DocumentContainer.Calls, document, null, Now));

        Assert.Equal("call-8", error.Id);
    }

    [Fact]
    public void ExpiryIsTheWriteTimePlusTheTimeToLive()
    {
        var entity = TableEntityCodec.ToEntity(DocumentContainer.Calls, new DocumentWrite("p", "id", [], TimeToLive: TimeSpan.FromSeconds(90.2)), null, Now);

        Assert.Equal(Now.AddSeconds(91), entity.GetDateTimeOffset(TableEntityCodec.ExpiresAt));
        Assert.False(TableEntityCodec.IsExpired(entity, Now.AddSeconds(90)));
        Assert.True(TableEntityCodec.IsExpired(entity, Now.AddSeconds(91)));
    }
}
