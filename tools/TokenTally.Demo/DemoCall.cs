using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TokenTally.Demo;

/// <summary>
/// One generated call record, field for field the public call-event schema (v1), plus the project
/// whose key sends it. Token counts follow TokenTally's convention: <see cref="InputTokens"/>
/// includes cache reads and writes, <see cref="OutputTokens"/> includes reasoning.
/// </summary>
public sealed record DemoCall
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The project whose API key sends the record (not part of the record).</summary>
    [JsonIgnore]
    public string Project { get; init; } = string.Empty;

    public required string Id { get; init; }

    [JsonIgnore]
    public DateTimeOffset Timestamp { get; init; }

    [JsonPropertyName("timestamp")]
    public string TimestampText => Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public required string Service { get; init; }

    public required string Release { get; init; }

    public required string Environment { get; init; }

    public required string Provider { get; init; }

    public string? Model { get; init; }

    public string? ResponseModel { get; init; }

    public string? Deployment { get; init; }

    public string? DeploymentType { get; init; }

    public required string Operation { get; init; }

    public required string ServiceTier { get; init; }

    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long CachedInputTokens { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long CacheWriteTokens { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long ReasoningTokens { get; init; }

    public double LatencyMs { get; init; }

    public double? TimeToFirstTokenMs { get; init; }

    public required string Status { get; init; }

    public string? ErrorType { get; init; }

    public int? HttpStatus { get; init; }

    public string? UserId { get; init; }

    public string? SessionId { get; init; }

    public string? Department { get; init; }

    public string? Experiment { get; init; }

    public string? Variant { get; init; }

    public string? TraceId { get; init; }

    public string? SpanId { get; init; }

    public string? ParentSpanId { get; init; }

    public required IReadOnlyDictionary<string, string> Tags { get; init; }

    /// <summary>The record as the client sends it: UTF-8 JSON.</summary>
    public byte[] ToJsonUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, Json);
}
