using System.Text;
using TokenTally.Core.Calls;

namespace TokenTally.Core.Tests.Calls;

public sealed class CallBatchTests
{
    private static (List<string> Records, string? Error) Split(string body, BatchFormat format)
    {
        var records = new List<ReadOnlyMemory<byte>>();
        var error = CallBatch.Split(Encoding.UTF8.GetBytes(body), format, records);
        return (records.Select(r => Encoding.UTF8.GetString(r.Span)).ToList(), error);
    }

    [Theory]
    [InlineData("""[{"a":1},{"b":[2,3]}]""")]
    [InlineData("""{"events":[{"a":1},{"b":[2,3]}]}""")]
    [InlineData(" \n [ {\"a\":1} , {\"b\":[2,3]} ] ")]
    public void AJsonArrayOrEventsObjectSplitsIntoItsRecords(string body)
    {
        var (records, error) = Split(body, BatchFormat.Json);

        Assert.Null(error);
        Assert.Equal(["""{"a":1}""", """{"b":[2,3]}"""], records.Select(r => r.Replace(" ", string.Empty, StringComparison.Ordinal)));
    }

    [Fact]
    public void NdJsonSplitsOnLinesAndSkipsBlankOnes()
    {
        var (records, error) = Split("{\"a\":1}\r\n\n  {\"b\":2}  \n", BatchFormat.NdJson);

        Assert.Null(error);
        Assert.Equal(["{\"a\":1}", "{\"b\":2}"], records);
    }

    [Fact]
    public void NdJsonKeepsAMalformedLineAsItsOwnRecord()
    {
        var (records, error) = Split("{\"a\":1}\n{oops\n{\"b\":2}", BatchFormat.NdJson);

        Assert.Null(error);
        Assert.Equal(3, records.Count);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("[]", "empty")]
    [InlineData("42", "must be a JSON array")]
    [InlineData("""{"records":[]}""", "{\"events\"")]
    [InlineData("""[{"a":1},""", "not valid JSON")]
    public void AnUnreadableJsonBodyIsRejectedAsAWhole(string body, string message)
    {
        var (_, error) = Split(body, BatchFormat.Json);

        Assert.Contains(message, error, StringComparison.Ordinal);
    }
}
