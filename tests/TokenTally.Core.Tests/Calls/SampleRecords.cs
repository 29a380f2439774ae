using TokenTally.Core.Calls;

namespace TokenTally.Core.Tests.Calls;

/// <summary>A valid call record with every field, as JSON text, and records made from it by changing one field.</summary>
internal static class SampleRecords
{
    public static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The key's tenant and project, the clock and the retention every sample is valid against.</summary>
    public static readonly CallEventContext Context = new("acme", "chat-app", Now, TimeSpan.FromDays(30));

    /// <summary>Every field of a record with a valid value (JSON text); together they make a valid record.</summary>
    public static readonly IReadOnlyList<(string Name, string Json)> EveryField =
    [
        ("id", "\"call-1\""),
        ("timestamp", "\"2026-11-20T11:59:00Z\""),
        ("project", "\"chat-app\""),
        ("service", "\"api\""),
        ("release", "\"1.2.3\""),
        ("environment", "\"prod\""),
        ("provider", "\"azure-openai\""),
        ("model", "\"gpt-4o\""),
        ("responseModel", "\"gpt-4o-2024-08-06\""),
        ("deployment", "\"gpt4o-eu\""),
        ("operation", "\"chat\""),
        ("inputTokens", "5000"),
        ("outputTokens", "800"),
        ("cachedInputTokens", "3000"),
        ("cacheWriteTokens", "0"),
        ("reasoningTokens", "100"),
        ("latencyMs", "1234.5"),
        ("timeToFirstTokenMs", "210"),
        ("status", "\"error\""),
        ("errorType", "\"rate_limit\""),
        ("httpStatus", "429"),
        ("userId", "\"u-1\""),
        ("sessionId", "\"s-1\""),
        ("department", "\"support\""),
        ("experiment", "\"prompt-v2\""),
        ("variant", "\"b\""),
        ("traceId", "\"4bf92f3577b34da6a3ce929d0e0e4736\""),
        ("spanId", "\"00f067aa0ba902b7\""),
        ("parentSpanId", "\"00f067aa0ba902b8\""),
        ("serviceTier", "\"batch\""),
        ("deploymentType", "\"data-zone\""),
        ("tags", """{"team":"core","feature":"chat"}"""),
        ("costUsd", "0.0123"),
    ];

    /// <summary>The names of the fields whose values are JSON strings.</summary>
    public static IEnumerable<string> TextFields => EveryField.Where(f => f.Json.StartsWith('"')).Select(f => f.Name);

    /// <summary>The record with every field.</summary>
    public static string Full => Record(EveryField);

    /// <summary>The record with every field, <paramref name="field"/> holding <paramref name="json"/> instead of its value.</summary>
    public static string With(string field, string json) =>
        Record(EveryField.Select(f => f.Name == field ? (f.Name, json) : f));

    /// <summary>The record with every field, then <paramref name="name"/> (JSON string content, escapes allowed) again with <paramref name="json"/>.</summary>
    public static string WithExtra(string name, string json) => Full[..^1] + $",\"{name}\":{json}}}";

    /// <summary>The JSON object of these fields in this order.</summary>
    public static string Record(IEnumerable<(string Name, string Json)> fields) =>
        "{" + string.Join(",", fields.Select(f => $"\"{f.Name}\":{f.Json}")) + "}";
}
