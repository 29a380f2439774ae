using System.Buffers;
using System.Text;
using System.Text.Json;
using TokenTally.Application.Json;
using TokenTally.Application.Calls;
using TokenTally.Core.Calls;
using TokenTally.Core.Pricing;

namespace TokenTally.Application.Tests.Calls;

/// <summary>How the ledger writes a call: one JSON shape, and a content hash that ignores when the content arrived.</summary>
public sealed class CallRecordStoreTests
{
    private static StoredCall Call(DateTimeOffset receivedAt, long input = 1_000, CallOperation operation = CallOperation.Embedding) => new(
        new CallEvent
        {
            Id = "c-1", Timestamp = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero), Tenant = "t", Project = "p", Provider = "openai", Model = "gpt-4o",
            Operation = operation, Usage = new TokenUsage(input, 10), Status = CallStatus.Error, ServiceTier = ServiceTier.Flex,
        },
        new PricedCall("openai", "gpt-4o", null, "unknown model", "2026-07-18"),
        receivedAt);

    private static (string Json, string Hash) Serialize(StoredCall call)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var hash = CallRecordStore.Serialize(call, buffer);
        return (Encoding.UTF8.GetString(buffer.WrittenSpan), hash);
    }

    [Fact]
    public void TheSameContentReceivedLaterHasTheSameHashAndOtherContentAnother()
    {
        var first = Serialize(Call(DateTimeOffset.UnixEpoch));
        var later = Serialize(Call(DateTimeOffset.UnixEpoch.AddDays(3)));
        var changed = Serialize(Call(DateTimeOffset.UnixEpoch, input: 1_001));

        Assert.Equal(first.Hash, later.Hash);
        Assert.NotEqual(first.Json, later.Json);
        Assert.NotEqual(first.Hash, changed.Hash);
    }

    [Fact]
    public void TheWrittenRecordReadsBackAsTheSameCallWithEnumsAsCamelCaseNames()
    {
        var call = Call(DateTimeOffset.UnixEpoch);

        var (json, _) = Serialize(call);
        var read = JsonSerializer.Deserialize<StoredCall>(json, TokenTallyJson.Options)!;

        Assert.Contains("\"operation\":\"embedding\"", json, StringComparison.Ordinal);
        Assert.Contains("\"serviceTier\":\"flex\"", json, StringComparison.Ordinal);
        Assert.Equal(call.Event with { Tags = read.Event.Tags }, read.Event);
        Assert.Equal(call.Pricing, read.Pricing);
        Assert.Equal(call.ReceivedAt, read.ReceivedAt);
        Assert.Equal(json, JsonSerializer.Serialize(read, TokenTallyJson.Options));
    }
}
