namespace TokenTally.Core.Calls;

/// <summary>
/// One LLM call as TokenTally keeps it (record version 1): validated, with its tenant and project
/// taken from the API key that sent it. Pricing and normalization results live beside it in the
/// stored call record, not here.
/// </summary>
public sealed record CallEvent
{
    /// <summary>The client's idempotency key (or the one the server assigned).</summary>
    public required string Id { get; init; }

    /// <summary>When the call was made, in UTC.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The tenant of the API key that sent the record.</summary>
    public required string Tenant { get; init; }

    /// <summary>The project of the API key that sent the record.</summary>
    public required string Project { get; init; }

    /// <summary>The calling service.</summary>
    public string? Service { get; init; }

    /// <summary>The calling service's release or version.</summary>
    public string? Release { get; init; }

    /// <summary>Deployment environment (prod, staging, …).</summary>
    public string? Environment { get; init; }

    /// <summary>The provider as sent (openai, azure-openai, anthropic, google, …).</summary>
    public required string Provider { get; init; }

    /// <summary>The requested model; for Azure OpenAI it may be empty when <see cref="Deployment"/> names it.</summary>
    public string? Model { get; init; }

    /// <summary>The model the provider says answered.</summary>
    public string? ResponseModel { get; init; }

    /// <summary>The Azure OpenAI deployment name.</summary>
    public string? Deployment { get; init; }

    /// <summary>The kind of call.</summary>
    public CallOperation Operation { get; init; } = CallOperation.Chat;

    /// <summary>Token counts in TokenTally's convention.</summary>
    public required TokenUsage Usage { get; init; }

    /// <summary>Total latency in milliseconds.</summary>
    public double? LatencyMs { get; init; }

    /// <summary>Time to the first streamed token in milliseconds.</summary>
    public double? TimeToFirstTokenMs { get; init; }

    /// <summary>Whether the call succeeded.</summary>
    public CallStatus Status { get; init; } = CallStatus.Ok;

    /// <summary>The error class when <see cref="Status"/> is error.</summary>
    public string? ErrorType { get; init; }

    /// <summary>The provider's HTTP status.</summary>
    public int? HttpStatus { get; init; }

    /// <summary>The end user.</summary>
    public string? UserId { get; init; }

    /// <summary>The user's session.</summary>
    public string? SessionId { get; init; }

    /// <summary>The cost centre.</summary>
    public string? Department { get; init; }

    /// <summary>The A/B experiment the call belongs to.</summary>
    public string? Experiment { get; init; }

    /// <summary>The experiment variant.</summary>
    public string? Variant { get; init; }

    /// <summary>W3C trace id (32 hex).</summary>
    public string? TraceId { get; init; }

    /// <summary>W3C span id (16 hex).</summary>
    public string? SpanId { get; init; }

    /// <summary>The parent span id (16 hex).</summary>
    public string? ParentSpanId { get; init; }

    /// <summary>The provider's processing tier.</summary>
    public ServiceTier ServiceTier { get; init; } = ServiceTier.Standard;

    /// <summary>Azure OpenAI deployment type.</summary>
    public AzureDeploymentType? DeploymentType { get; init; }

    /// <summary>Free-form tags, bounded by <see cref="CallEventLimits"/>.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = CallTags.Empty;

    /// <summary>The cost the client computed, kept beside ours and never trusted over it.</summary>
    public decimal? ClientCostUsd { get; init; }

    /// <summary>Whether the server assigned <see cref="Id"/>.</summary>
    public bool IdAssigned { get; init; }
}

/// <summary>The bounds a call record must stay within.</summary>
public static class CallEventLimits
{
    /// <summary>Longest id (characters [A-Za-z0-9._:-]).</summary>
    public const int MaxIdLength = 128;

    /// <summary>Longest free-text field (service, model, user id, …).</summary>
    public const int MaxTextLength = 256;

    /// <summary>Most tags on one record.</summary>
    public const int MaxTags = 32;

    /// <summary>Longest tag key.</summary>
    public const int MaxTagKeyLength = 64;

    /// <summary>Longest tag value.</summary>
    public const int MaxTagValueLength = 256;

    /// <summary>Largest believable token count of one call (10 million).</summary>
    public const long MaxTokens = 10_000_000;

    /// <summary>Longest believable latency (one hour).</summary>
    public const double MaxLatencyMs = 3_600_000;

    /// <summary>How far in the future a timestamp may be (clock skew).</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromMinutes(5);
}
