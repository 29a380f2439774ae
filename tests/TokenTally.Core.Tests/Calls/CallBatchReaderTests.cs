using System.Text;
using TokenTally.Core.Calls;

namespace TokenTally.Core.Tests.Calls;

public sealed class CallBatchReaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private static readonly CallEventContext Context = new("acme", "chat-app", Now, TimeSpan.FromDays(30));

    private static string Record(string id) =>
        $$"""{"id":"{{id}}","timestamp":"2026-11-20T11:59:00Z","provider":"openai","model":"gpt-4o","inputTokens":1000,"outputTokens":200}""";

    private static CallBatchReading Read(string body, BatchFormat format = BatchFormat.Json, int maxRecords = int.MaxValue) =>
        CallBatchReader.Read(Encoding.UTF8.GetBytes(body), format, Context, () => "assigned", maxRecords);

    /// <summary>The layout with A and B replaced by two valid records.</summary>
    private static string Layout(string layout) => layout.Replace("A", Record("a"), StringComparison.Ordinal).Replace("B", Record("b"), StringComparison.Ordinal);

    private static string Text(BatchRecord record) => Encoding.UTF8.GetString(record.Json.Span);

    [Theory]
    [InlineData("[A,B]")]
    [InlineData("{\"events\":[A,B]}")]
    [InlineData(" \n [ A ,\n B ] ")]
    public void AJsonArrayOrEventsObjectIsReadIntoItsParsedRecordsInOrder(string layout)
    {
        var batch = Read(Layout(layout));

        Assert.Null(batch.Error);
        Assert.Equal(2, batch.RecordCount);
        Assert.Equal(["a", "b"], batch.Records.Select(r => r.Event!.Id));
        Assert.All(batch.Records, r => Assert.Empty(r.Errors));
        Assert.Equal([Record("a"), Record("b")], batch.Records.Select(Text));
    }

    [Fact]
    public void AnInvalidRecordIsRejectedWithAllItsErrorsWhileTheOthersAreRead()
    {
        var batch = Read($$"""[{{Record("a")}},{"id":"bad","inputTokens":-1},{{Record("c")}}]""");

        Assert.Null(batch.Error);
        var bad = batch.Records[1];
        Assert.Null(bad.Event);
        Assert.Equal("bad", bad.SentId);
        Assert.Contains(bad.Errors, e => e.Field == "timestamp");
        Assert.Contains(bad.Errors, e => e.Field == "provider");
        Assert.Contains(bad.Errors, e => e.Field == "inputTokens");
        Assert.Equal(["a", "c"], batch.Records.Where(r => r.Event is not null).Select(r => r.Event!.Id));
    }

    [Theory]
    [InlineData("42")]
    [InlineData("\"text\"")]
    [InlineData("[1,{\"a\":[]}]")]
    [InlineData("null")]
    public void AnElementThatIsNotAnObjectIsARejectedRecordNotAnUnreadableBody(string element)
    {
        var batch = Read($"[{Record("a")},{element},{Record("c")}]");

        Assert.Null(batch.Error);
        Assert.Equal(3, batch.RecordCount);
        Assert.Equal(element, Text(batch.Records[1]));
        Assert.Equal("A call record must be a JSON object.", Assert.Single(batch.Records[1].Errors).Message);
        Assert.NotNull(batch.Records[2].Event);
    }

    [Theory]
    [InlineData("[{\"id\":\"a\",, A,B]")]
    [InlineData("[A,{\"id\":\"b\" \"x\":1},B]")]
    [InlineData("[A,B,{\"id\":\"c\"")]
    [InlineData("[A,B")]
    [InlineData("{\"events\":[A,B,]}")]
    [InlineData("[A],B")]
    [InlineData("[A]]")]
    [InlineData("[A,B] x")]
    [InlineData("{\"events\":[A,B]}}")]
    public void MalformedJsonAnywhereMakesTheWholeBodyUnreadableAndKeepsNoRecord(string layout)
    {
        var batch = Read(Layout(layout));

        Assert.StartsWith("The body is not valid JSON: ", batch.Error, StringComparison.Ordinal);
        Assert.Empty(batch.Records);
        Assert.Equal(0, batch.RecordCount);
    }

    [Theory]
    [InlineData("", "The body is empty.")]
    [InlineData("  \r\n ", "The body is empty.")]
    [InlineData("[]", "The batch is empty.")]
    [InlineData("""{"events":[]}""", "The batch is empty.")]
    [InlineData("42", "must be a JSON array")]
    [InlineData("""{"records":[]}""", "A JSON object body must be {\"events\": [ … ]}.")]
    [InlineData("""{"events":[{}],"more":1}""", "Only the \"events\" property is allowed")]
    public void AnUnreadableJsonBodyIsOneErrorWithNoRecords(string body, string message)
    {
        var batch = Read(body);

        Assert.Contains(message, batch.Error, StringComparison.Ordinal);
        Assert.Empty(batch.Records);
    }

    [Fact]
    public void NdJsonIsReadLineByLineSkippingBlankLines()
    {
        var batch = Read($"{Record("a")}\r\n\n  {Record("b")}  \n", BatchFormat.NdJson);

        Assert.Null(batch.Error);
        Assert.Equal(["a", "b"], batch.Records.Select(r => r.Event!.Id));
        Assert.Equal([Record("a"), Record("b")], batch.Records.Select(Text));
    }

    [Fact]
    public void AMalformedNdJsonLineRejectsOnlyItself()
    {
        var batch = Read($"{Record("a")}\n{{oops\n{Record("c")}", BatchFormat.NdJson);

        Assert.Null(batch.Error);
        Assert.Equal(3, batch.RecordCount);
        Assert.Equal("syntax", Assert.Single(batch.Records[1].Errors).Code);
        Assert.NotNull(batch.Records[0].Event);
        Assert.NotNull(batch.Records[2].Event);
    }

    [Fact]
    public void AnNdJsonBodyOfBlankLinesHoldsNoRecords()
    {
        Assert.Equal("The body holds no records.", Read("\n \r\n", BatchFormat.NdJson).Error);
    }

    [Fact]
    public void ARecordBodyIsOneRecordEvenWhenMalformed()
    {
        var good = Read(" " + Record("a"), BatchFormat.Record);
        var bad = Read("{\"id\":", BatchFormat.Record);

        Assert.Equal("a", Assert.Single(good.Records).Event!.Id);
        Assert.Null(bad.Error);
        Assert.Equal("syntax", Assert.Single(Assert.Single(bad.Records).Errors).Code);
    }

    [Theory]
    [InlineData(BatchFormat.Json)]
    [InlineData(BatchFormat.NdJson)]
    public void PastTheRecordLimitTheBodyIsCountedButNoRecordIsKept(BatchFormat format)
    {
        var records = Enumerable.Range(0, 5).Select(i => Record($"r{i}")).ToArray();
        var body = format == BatchFormat.Json ? $"[{string.Join(',', records)}]" : string.Join('\n', records);

        var atLimit = Read(body, format, maxRecords: 5);
        var overLimit = Read(body, format, maxRecords: 4);

        Assert.Equal(5, atLimit.Records.Count);
        Assert.Null(overLimit.Error);
        Assert.Equal(5, overLimit.RecordCount);
        Assert.Empty(overLimit.Records);
    }

    [Fact]
    public void MalformedJsonPastTheRecordLimitStillMakesTheBodyUnreadable()
    {
        var batch = Read($"[{Record("a")},{Record("b")},{{]", maxRecords: 1);

        Assert.StartsWith("The body is not valid JSON", batch.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ARecordWithInvalidUtf8IsRejectedAndTheNextRecordIsStillRead()
    {
        byte[] invalid = [0xC3, 0x28];
        var bytes = Encoding.UTF8.GetBytes("""[{"id":"a","userId":"u""")
            .Concat(invalid)
            .Concat(Encoding.UTF8.GetBytes("\",\"timestamp\":\"2026-11-20T11:59:00Z\",\"provider\":\"openai\",\"model\":\"gpt-4o\",\"tags\":{\"k\":\"v\"}}," + Record("b") + "]"))
            .ToList();

        var batch = CallBatchReader.Read(bytes.ToArray(), BatchFormat.Json, Context, () => "assigned");

        Assert.Null(batch.Error);
        Assert.Equal(("userId", "encoding"), (Assert.Single(batch.Records[0].Errors).Field, Assert.Single(batch.Records[0].Errors).Code));
        Assert.Equal("b", batch.Records[1].Event!.Id);
    }

    [Theory]
    [InlineData(BatchFormat.Json)]
    [InlineData(BatchFormat.NdJson)]
    public void ARecordWithUnpairedSurrogatesIsRejectedAloneAndTheOthersAreRead(BatchFormat format)
    {
        const string Bad = """{"id":"bad","timestamp":"2026-11-20T11:59:00Z","provider":"openai","model":"gpt-4o","userId":"\ud800","tags":{"\udc00":"x","team":"\udfff"},"inputTokens":10}""";
        string[] records = [Record("a"), Bad, Record("c")];

        var batch = Read(format == BatchFormat.Json ? $"[{string.Join(',', records)}]" : string.Join('\n', records), format);

        Assert.Null(batch.Error);
        Assert.Equal(["a", "c"], batch.Records.Where(r => r.Event is not null).Select(r => r.Event!.Id));
        var bad = batch.Records[1];
        Assert.Equal(("bad", Bad), (bad.SentId, Text(bad)));
        Assert.Equal(["userId", "tags", "tags.team"], bad.Errors.Select(e => e.Field));
        Assert.All(bad.Errors, e => Assert.Equal("encoding", e.Code));
    }

    [Theory]
    [InlineData("""{"\ud800":[]}""")]
    [InlineData("""{"\udc00vents":[]}""")]
    public void AnObjectBodyWhosePropertyNameIsNotValidUnicodeIsUnreadable(string body)
    {
        var batch = Read(body);

        Assert.Equal("A JSON object body must be {\"events\": [ … ]}.", batch.Error);
    }

    [Fact]
    public void AnEscapedEventsPropertyIsStillTheEventsProperty()
    {
        var batch = Read($$"""{"\u0065vents":[{{Record("a")}}]}""");

        Assert.Equal("a", Assert.Single(batch.Records).Event!.Id);
    }

    [Fact]
    public void RecordsWithoutAnIdGetOneFromTheFactory()
    {
        var batch = Read("""[{"timestamp":"2026-11-20T11:59:00Z","provider":"openai","model":"gpt-4o"}]""");

        Assert.Equal("assigned", batch.Records[0].Event!.Id);
        Assert.True(batch.Records[0].Event!.IdAssigned);
    }
}
