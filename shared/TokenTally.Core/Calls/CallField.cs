namespace TokenTally.Core.Calls;

/// <summary>
/// The fields of a call record (v1), as <see cref="CallEventParser"/> tells them apart. Fewer than 64: the parser keeps
/// the fields a record sent as one bit each in a <see cref="ulong"/>, to tell a field sent twice.
/// </summary>
internal enum CallField
{
    Unknown,
    Id,
    Timestamp,
    Project,
    Service,
    Release,
    Environment,
    Provider,
    Model,
    ResponseModel,
    Deployment,
    Operation,
    InputTokens,
    OutputTokens,
    CachedInputTokens,
    CacheWriteTokens,
    ReasoningTokens,
    LatencyMs,
    TimeToFirstTokenMs,
    Status,
    ErrorType,
    HttpStatus,
    UserId,
    SessionId,
    Department,
    Experiment,
    Variant,
    TraceId,
    SpanId,
    ParentSpanId,
    ServiceTier,
    DeploymentType,
    Tags,
    CostUsd,
}

/// <summary>Names a field from its UTF-8 bytes, so that the name of every field of every record is neither transcoded nor allocated.</summary>
internal static class CallFields
{
    public static CallField Of(ReadOnlySpan<byte> name) => name.Length switch
    {
        2 when name.SequenceEqual("id"u8) => CallField.Id,
        4 when name.SequenceEqual("tags"u8) => CallField.Tags,
        5 when name.SequenceEqual("model"u8) => CallField.Model,
        6 => name[0] switch
        {
            (byte)'s' when name.SequenceEqual("status"u8) => CallField.Status,
            (byte)'u' when name.SequenceEqual("userId"u8) => CallField.UserId,
            (byte)'s' when name.SequenceEqual("spanId"u8) => CallField.SpanId,
            _ => CallField.Unknown,
        },
        7 => name[0] switch
        {
            (byte)'p' when name.SequenceEqual("project"u8) => CallField.Project,
            (byte)'s' when name.SequenceEqual("service"u8) => CallField.Service,
            (byte)'r' when name.SequenceEqual("release"u8) => CallField.Release,
            (byte)'v' when name.SequenceEqual("variant"u8) => CallField.Variant,
            (byte)'t' when name.SequenceEqual("traceId"u8) => CallField.TraceId,
            (byte)'c' when name.SequenceEqual("costUsd"u8) => CallField.CostUsd,
            _ => CallField.Unknown,
        },
        8 when name.SequenceEqual("provider"u8) => CallField.Provider,
        9 => name[0] switch
        {
            (byte)'t' when name.SequenceEqual("timestamp"u8) => CallField.Timestamp,
            (byte)'o' when name.SequenceEqual("operation"u8) => CallField.Operation,
            (byte)'e' when name.SequenceEqual("errorType"u8) => CallField.ErrorType,
            (byte)'l' when name.SequenceEqual("latencyMs"u8) => CallField.LatencyMs,
            (byte)'s' when name.SequenceEqual("sessionId"u8) => CallField.SessionId,
            _ => CallField.Unknown,
        },
        10 => name[0] switch
        {
            (byte)'d' when name.SequenceEqual("deployment"u8) => CallField.Deployment,
            (byte)'d' when name.SequenceEqual("department"u8) => CallField.Department,
            (byte)'e' when name.SequenceEqual("experiment"u8) => CallField.Experiment,
            (byte)'h' when name.SequenceEqual("httpStatus"u8) => CallField.HttpStatus,
            _ => CallField.Unknown,
        },
        11 => name[0] switch
        {
            (byte)'e' when name.SequenceEqual("environment"u8) => CallField.Environment,
            (byte)'i' when name.SequenceEqual("inputTokens"u8) => CallField.InputTokens,
            (byte)'s' when name.SequenceEqual("serviceTier"u8) => CallField.ServiceTier,
            _ => CallField.Unknown,
        },
        12 => name[0] switch
        {
            (byte)'o' when name.SequenceEqual("outputTokens"u8) => CallField.OutputTokens,
            (byte)'p' when name.SequenceEqual("parentSpanId"u8) => CallField.ParentSpanId,
            _ => CallField.Unknown,
        },
        13 when name.SequenceEqual("responseModel"u8) => CallField.ResponseModel,
        14 when name.SequenceEqual("deploymentType"u8) => CallField.DeploymentType,
        15 when name.SequenceEqual("reasoningTokens"u8) => CallField.ReasoningTokens,
        16 when name.SequenceEqual("cacheWriteTokens"u8) => CallField.CacheWriteTokens,
        17 when name.SequenceEqual("cachedInputTokens"u8) => CallField.CachedInputTokens,
        18 when name.SequenceEqual("timeToFirstTokenMs"u8) => CallField.TimeToFirstTokenMs,
        _ => CallField.Unknown,
    };
}
