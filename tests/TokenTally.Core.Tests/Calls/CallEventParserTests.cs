using System.Buffers;
using System.Text;
using TokenTally.Core.Calls;

namespace TokenTally.Core.Tests.Calls;

public sealed class CallEventParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private static readonly CallEventContext Context = new("acme", "chat-app", Now, TimeSpan.FromDays(30));

    private const string Minimal = """{"timestamp":"2026-11-20T11:59:00Z","provider":"openai","model":"gpt-4o","inputTokens":1000,"outputTokens":200}""";

    private static (CallEvent? Event, List<FieldError> Errors, string? Id) Parse(string json)
    {
        var errors = new List<FieldError>();
        var parsed = CallEventParser.Parse(Encoding.UTF8.GetBytes(json), Context, errors, () => "assigned-1", out var id);
        return (parsed, errors, id);
    }

    [Fact]
    public void AMinimalRecordGetsDefaultsAnAssignedIdAndTheKeysTenant()
    {
        var (parsed, errors, _) = Parse(Minimal);

        Assert.Empty(errors);
        Assert.NotNull(parsed);
        Assert.Equal("assigned-1", parsed.Id);
        Assert.True(parsed.IdAssigned);
        Assert.Equal("acme", parsed.Tenant);
        Assert.Equal("chat-app", parsed.Project);
        Assert.Equal(CallOperation.Chat, parsed.Operation);
        Assert.Equal(CallStatus.Ok, parsed.Status);
        Assert.Equal(ServiceTier.Standard, parsed.ServiceTier);
        Assert.Equal(new TokenUsage(1000, 200), parsed.Usage);
    }

    [Fact]
    public void FieldNamesWithEscapedCharactersAreReadAsTheirUnescapedNames()
    {
        var (parsed, errors, _) = Parse("""{"timestamp":"2026-11-20T11:59:00Z","provider":"openai","mod\u0065l":"gpt-4o","\u0069nputTokens":1000,"outputTokens":200}""");

        Assert.Empty(errors);
        Assert.Equal(("gpt-4o", 1000L), (parsed!.Model, parsed.Usage.Input));
    }

    [Fact]
    public void AnUnknownFieldIsReportedByItsUnescapedName()
    {
        var (_, errors, _) = Parse("""{"timestamp":"2026-11-20T11:59:00Z","provider":"openai","model":"gpt-4o","input_t\u006fkens":5}""");

        var error = Assert.Single(errors);
        Assert.Equal(("input_tokens", "unknown"), (error.Field, error.Code));
        Assert.Contains("did you mean 'inputTokens'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryFieldIsRead()
    {
        var (parsed, errors, _) = Parse("""
            {"id":"call-1","timestamp":"2026-11-20T12:30:00+01:00","project":"chat-app","service":"api","release":"1.2.3","environment":"prod",
             "provider":"azure-openai","model":"gpt-4o","responseModel":"gpt-4o-2024-08-06","deployment":"gpt4o-eu","operation":"chat",
             "inputTokens":5000,"outputTokens":800,"cachedInputTokens":3000,"cacheWriteTokens":0,"reasoningTokens":100,"latencyMs":1234.5,
             "timeToFirstTokenMs":210,"status":"error","errorType":"rate_limit","httpStatus":429,"userId":"u-1","sessionId":"s-1",
             "department":"support","experiment":"prompt-v2","variant":"b","traceId":"4BF92F3577B34DA6A3CE929D0E0E4736",
             "spanId":"00f067aa0ba902b7","parentSpanId":"00f067aa0ba902b8","serviceTier":"batch","deploymentType":"data-zone",
             "tags":{"team":"core"},"costUsd":0.0123}
            """);

        Assert.Empty(errors);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 11, 30, 0, TimeSpan.Zero), parsed!.Timestamp);
        Assert.Equal(TimeSpan.Zero, parsed.Timestamp.Offset);
        Assert.Equal(new TokenUsage(5000, 800, 3000, 0, 100), parsed.Usage);
        Assert.Equal(AzureDeploymentType.DataZone, parsed.DeploymentType);
        Assert.Equal(ServiceTier.Batch, parsed.ServiceTier);
        Assert.Equal(CallStatus.Error, parsed.Status);
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", parsed.TraceId);
        Assert.Equal("core", parsed.Tags["team"]);
        Assert.Equal(0.0123m, parsed.ClientCostUsd);
        Assert.False(parsed.IdAssigned);
    }

    public static TheoryData<string, string, string, string> BadRecords => new()
    {
        { "not an object", "[1,2]", "record", "type" },
        { "malformed", """{"timestamp":""", "record", "syntax" },
        { "missing timestamp", """{"provider":"openai","model":"gpt-4o"}""", "timestamp", "required" },
        { "timestamp without zone", """{"timestamp":"2026-11-20T11:00:00","provider":"openai","model":"gpt-4o"}""", "timestamp", "format" },
        { "timestamp in the future", """{"timestamp":"2026-11-20T12:10:00Z","provider":"openai","model":"gpt-4o"}""", "timestamp", "range" },
        { "timestamp past retention", """{"timestamp":"2026-10-01T00:00:00Z","provider":"openai","model":"gpt-4o"}""", "timestamp", "range" },
        { "missing provider", """{"timestamp":"2026-11-20T11:00:00Z","model":"gpt-4o"}""", "provider", "required" },
        { "missing model and deployment", """{"timestamp":"2026-11-20T11:00:00Z","provider":"openai"}""", "model", "required" },
        { "tokens as string", """{"timestamp":"2026-11-20T11:00:00Z","provider":"openai","model":"gpt-4o","inputTokens":"100"}""", "inputTokens", "type" },
        { "fractional tokens", """{"timestamp":"2026-11-20T11:00:00Z","provider":"openai","model":"gpt-4o","outputTokens":1.5}""", "outputTokens", "type" },
        { "negative tokens", """{"timestamp":"2026-11-20T11:00:00Z","provider":"openai","model":"gpt-4o","inputTokens":-1}""", "inputTokens", "range" },
        { "absurd tokens", """{"timestamp":"2026-11-20T11:00:00Z","provider":"openai","model":"gpt-4o","inputTokens":99999999999}""", "inputTokens", "range" },
        { "anthropic additive cache", """{"timestamp":"2026-11-20T11:00:00Z","provider":"anthropic","model":"claude-sonnet-4-5","inputTokens":20,"cachedInputTokens":3000,"cacheWriteTokens":500}""", "inputTokens", "convention" },
        { "gemini additive thoughts", """{"timestamp":"2026-11-20T11:00:00Z","provider":"google","model":"gemini-2.5-pro","outputTokens":100,"reasoningTokens":900}""", "outputTokens", "convention" },
        { "unknown field", """{"timestamp":"2026-11-20T11:00:00Z","provider":"openai","model":"gpt-4o","input_tokens":10}""", "input_tokens", "unknown" },
        { "bad id", """{"id":"a b","timestamp":"2026-11-20T11:00:00Z","provider":"openai","model":"gpt-4o"}""", "id", "format" },
        { "other project", """{"project":"billing","timestamp":"2026-11-20T11:00:00Z","provider":"openai","model":"gpt-4o"}""", "project", "forbidden" },
        { "bad operation", """{"timestamp":"2026-11-20T11:00:00Z","provider":"openai","model":"gpt-4o","operation":"poem"}""", "operation", "enum" },
        { "bad status", """{"timestamp":"2026-11-20T11:00:00Z","provider":"openai","model":"gpt-4o","status":"fine"}""", "status", "enum" },
        { "bad tier", """{"timestamp":"2026-11-20T11:00:00Z","provider":"openai","model":"gpt-4o","serviceTier":"gold"}""", "serviceTier", "enum" },
        { "bad http status", """{"timestamp":"2026-11-20T11:00:00Z","provider":"openai","model":"gpt-4o","httpStatus":700}""", "httpStatus", "range" },
        { "negative latency", """{"timestamp":"2026-11-20T11:00:00Z","provider":"openai","model":"gpt-4o","latencyMs":-5}""", "latencyMs", "range" },
        { "ttft above latency", """{"timestamp":"2026-11-20T11:00:00Z","provider":"openai","model":"gpt-4o","latencyMs":100,"timeToFirstTokenMs":200}""", "timeToFirstTokenMs", "range" },
        { "long service", "{\"timestamp\":\"2026-11-20T11:00:00Z\",\"provider\":\"openai\",\"model\":\"gpt-4o\",\"service\":\"" + new string('s', 300) + "\"}", "service", "length" },
        { "tag value too long", "{\"timestamp\":\"2026-11-20T11:00:00Z\",\"provider\":\"openai\",\"model\":\"gpt-4o\",\"tags\":{\"k\":\"" + new string('v', 300) + "\"}}", "tags.k", "length" },
        { "too many tags", "{\"timestamp\":\"2026-11-20T11:00:00Z\",\"provider\":\"openai\",\"model\":\"gpt-4o\",\"tags\":{" + string.Join(",", Enumerable.Range(0, 33).Select(i => $"\"t{i}\":\"v\"")) + "}}", "tags", "length" },
        { "tags not object", """{"timestamp":"2026-11-20T11:00:00Z","provider":"openai","model":"gpt-4o","tags":["a"]}""", "tags", "type" },
        { "bad trace id", """{"timestamp":"2026-11-20T11:00:00Z","provider":"openai","model":"gpt-4o","traceId":"xyz"}""", "traceId", "format" },
        { "experiment without variant", """{"timestamp":"2026-11-20T11:00:00Z","provider":"openai","model":"gpt-4o","experiment":"e1"}""", "variant", "required" },
        { "negative client cost", """{"timestamp":"2026-11-20T11:00:00Z","provider":"openai","model":"gpt-4o","costUsd":-1}""", "costUsd", "range" },
        { "control characters", "{\"timestamp\":\"2026-11-20T11:00:00Z\",\"provider\":\"openai\",\"model\":\"gpt-4o\",\"userId\":\"a\\u0000b\"}", "userId", "format" },
    };

    [Theory]
    [MemberData(nameof(BadRecords))]
    public void ABadRecordIsRejectedNamingTheField(string _, string json, string field, string code)
    {
        var (parsed, errors, _) = Parse(json);

        Assert.Null(parsed);
        Assert.Contains(errors, e => e.Field == field && e.Code == code);
    }

    [Fact]
    public void EveryErrorOfARecordIsReportedNotJustTheFirst()
    {
        var (_, errors, id) = Parse("""{"id":"x-1","timestamp":"soon","provider":"","inputTokens":-1,"status":"meh"}""");

        Assert.Equal("x-1", id);
        Assert.Equal(["inputTokens", "model", "provider", "status", "timestamp"], errors.Select(e => e.Field).Distinct().Order());
    }

    [Fact]
    public void TheConventionErrorSaysWhichConventionWasProbablyUsed()
    {
        var (_, errors, _) = Parse("""{"timestamp":"2026-11-20T11:00:00Z","provider":"anthropic","model":"claude-sonnet-4-5","inputTokens":20,"cachedInputTokens":3000}""");

        Assert.Contains("Anthropic", Assert.Single(errors).Message);
    }

    [Fact]
    public void ASnakeCaseFieldGetsASuggestion()
    {
        var (_, errors, _) = Parse("""{"timestamp":"2026-11-20T11:00:00Z","provider":"openai","model":"gpt-4o","cached_input_tokens":5,"prompt_tokens":3}""");

        Assert.Contains(errors, e => e.Message.Contains("did you mean 'cachedInputTokens'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Message.Contains("did you mean 'inputTokens'", StringComparison.Ordinal));
    }

    public static TheoryData<string> EveryField => new(SampleRecords.EveryField.Select(f => f.Name));

    [Fact]
    public void TheSampleRecordIsValidAndHasEveryField()
    {
        var (parsed, errors, _) = Parse(SampleRecords.Full);

        Assert.Empty(errors);
        Assert.NotNull(parsed);
        Assert.Equal(
            Enum.GetNames<CallField>().Where(name => name != nameof(CallField.Unknown)).Select(name => char.ToLowerInvariant(name[0]) + name[1..]).Order(),
            SampleRecords.EveryField.Select(f => f.Name).Order());
    }

    [Theory]
    [MemberData(nameof(EveryField))]
    public void NullIsRejectedForEveryFieldNotReadAsAbsentOrZero(string field)
    {
        var (parsed, errors, _) = Parse(SampleRecords.With(field, "null"));

        Assert.Null(parsed);
        var error = Assert.Single(errors);
        Assert.Equal((field, "type"), (error.Field, error.Code));
        Assert.StartsWith($"{field} must be ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(", not null; leave the field out instead.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NullTokensAreATypeErrorNotZero()
    {
        var (parsed, errors, _) = Parse("""{"timestamp":"2026-11-20T11:59:00Z","provider":"openai","model":"gpt-4o","inputTokens":null,"outputTokens":200}""");

        Assert.Null(parsed);
        Assert.Equal(new FieldError("inputTokens", "type", "inputTokens must be a whole number, not null; leave the field out instead."), Assert.Single(errors));
    }

    [Theory]
    [MemberData(nameof(EveryField))]
    public void AFieldSentTwiceIsRejectedRatherThanTheLastOneWinning(string field)
    {
        var value = SampleRecords.EveryField.Single(f => f.Name == field).Json;

        var (parsed, errors, _) = Parse(SampleRecords.WithExtra(field, value));

        Assert.Null(parsed);
        Assert.Equal(new FieldError(field, "duplicate", $"{field} appears twice in this record; send it once."), Assert.Single(errors));
    }

    [Fact]
    public void AFieldSentOnceEscapedAndOncePlainIsSentTwice()
    {
        var (parsed, errors, _) = Parse("""{"timestamp":"2026-11-20T11:59:00Z","provider":"openai","model":"gpt-4o","input\u0054okens":1,"inputTokens":500}""");

        Assert.Null(parsed);
        Assert.Equal(("inputTokens", "duplicate"), (Assert.Single(errors).Field, Assert.Single(errors).Code));
    }

    [Fact]
    public void AnUnknownFieldSentTwiceIsReportedEachTime()
    {
        var (parsed, errors, _) = Parse("""{"timestamp":"2026-11-20T11:59:00Z","provider":"openai","model":"gpt-4o","prompt_tokens":1,"prompt_tokens":2}""");

        Assert.Null(parsed);
        Assert.Equal(2, errors.Count(e => e is { Field: "prompt_tokens", Code: "unknown" }));
    }

    public static TheoryData<string, string> TextFieldsWithUnpairedSurrogates => new(
        from name in SampleRecords.TextFields
        from text in new[] { @"\ud800", @"\udfff", @"a\ud800\u0041", @"\ud800\ud800\udc00x" }
        select (name, text));

    [Theory]
    [MemberData(nameof(TextFieldsWithUnpairedSurrogates))]
    public void AStringHoldingAnUnpairedSurrogateIsRejectedNamingItsField(string field, string escaped)
    {
        var (parsed, errors, _) = Parse(SampleRecords.With(field, $"\"{escaped}\""));

        Assert.Null(parsed);
        var error = Assert.Single(errors);
        Assert.Equal((field, "encoding"), (error.Field, error.Code));
        Assert.Contains("unpaired surrogate", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> UnpairedSurrogatesElsewhere => new()
    {
        { "tag key", SampleRecords.With("tags", """{"team":"core","\udc00":"x"}"""), "tags" },
        { "tag value", SampleRecords.With("tags", """{"team":"\ud800"}"""), "tags.team" },
        { "escaped known field name", SampleRecords.WithExtra(@"user\ud800Id", "\"x\""), "record" },
        { "unknown field name", SampleRecords.WithExtra(@"\udfffextra", "{\"a\":[1]}"), "record" },
    };

    [Theory]
    [MemberData(nameof(UnpairedSurrogatesElsewhere))]
    public void AnUnpairedSurrogateInATagOrAFieldNameIsRejectedAndTheRestOfTheRecordIsRead(string _, string json, string field)
    {
        var (parsed, errors, _) = Parse(json.Replace("\"inputTokens\":5000", "\"inputTokens\":-1", StringComparison.Ordinal));

        Assert.Null(parsed);
        Assert.Equal(2, errors.Count);
        Assert.Equal((field, "encoding"), (errors[0].Field, errors[0].Code));
        Assert.Contains("unpaired surrogate", errors[0].Message, StringComparison.Ordinal);
        Assert.Equal(("inputTokens", "range"), (errors[1].Field, errors[1].Code));
    }

    public static TheoryData<string, string> InvalidUtf8Places => new()
    {
        { "\"userId\":\"u", "userId" },
        { "\"tags\":{\"team\":\"c", "tags.team" },
        { "\"tags\":{\"te", "tags" },
        { "\"user", "record" },
    };

    [Theory]
    [MemberData(nameof(InvalidUtf8Places))]
    public void InvalidUtf8IsRejectedNamingItsField(string before, string field)
    {
        var text = SampleRecords.Full;
        var at = text.IndexOf(before, StringComparison.Ordinal) + before.Length;
        byte[] bytes = [.. Encoding.UTF8.GetBytes(text[..at]), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(text[at..])];
        var errors = new List<FieldError>();

        var parsed = CallEventParser.Parse(bytes, Context, errors, () => "x", out _);

        Assert.Null(parsed);
        var error = Assert.Single(errors);
        Assert.Equal((field, "encoding"), (error.Field, error.Code));
        Assert.Contains("not valid UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("latencyMs", "1e400")]
    [InlineData("latencyMs", "-1e400")]
    [InlineData("costUsd", "1e400")]
    [InlineData("inputTokens", "1e400")]
    [InlineData("httpStatus", "123456789012345678901234567890")]
    public void ANumberTooLargeForItsTypeIsRejected(string field, string number)
    {
        var (parsed, errors, _) = Parse(SampleRecords.With(field, number));

        Assert.Null(parsed);
        Assert.Contains(errors, e => e.Field == field);
    }

    [Fact]
    public void ALongValueIsCutInItsErrorMessageWithoutSplittingACharacter()
    {
        var (_, errors, _) = Parse(SampleRecords.With("timestamp", "\"" + new string('x', 63) + "😀😀\""));

        var message = Assert.Single(errors).Message;
        Assert.Contains(new string('x', 63) + "…", message, StringComparison.Ordinal);
        Assert.Equal(OperationStatus.Done, System.Text.Unicode.Utf8.FromUtf16(message, new byte[message.Length * 3], out _, out _, replaceInvalidSequences: false));
    }
}
