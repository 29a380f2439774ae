using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TokenTally.Core.Calls;

/// <summary>One field's problem, named by its JSON field (<c>inputTokens</c>, <c>tags.team</c>).</summary>
/// <param name="Field">The field, or <c>record</c> for the record as a whole.</param>
/// <param name="Code">A stable machine-readable code (<c>required</c>, <c>type</c>, <c>range</c>, …).</param>
/// <param name="Message">What is wrong and how to fix it.</param>
public sealed record FieldError(string Field, string Code, string Message);

/// <summary>What a record is checked against besides its own content.</summary>
/// <param name="Tenant">The tenant of the sending key.</param>
/// <param name="Project">The project of the sending key.</param>
/// <param name="Now">The server's clock.</param>
/// <param name="Retention">How old a call may be (older ones would expire at once).</param>
public sealed record CallEventContext(string Tenant, string Project, DateTimeOffset Now, TimeSpan Retention);

/// <summary>
/// Reads one call record (a JSON object, UTF-8) into a <see cref="CallEvent"/>, collecting every
/// field error rather than stopping at the first. No input makes it throw: whatever is wrong with a
/// record (bar malformed JSON, see <see cref="Parse"/>) is a <see cref="FieldError"/> of that record.
/// </summary>
/// <remarks>
/// What is not plainly meant is an error rather than a guess: an unknown field (a misspelt token field would
/// otherwise be read as zero and the call priced wrong), a field or tag sent twice (<c>duplicate</c>; which one
/// would count?), <c>null</c> for any field (<c>type</c>; leave the field out instead), and a string that is not
/// valid Unicode (<c>encoding</c>: invalid UTF-8, or an escaped surrogate without its other half).
/// </remarks>
public static class CallEventParser
{
    /// <summary>Each field's JSON name, by its <see cref="CallField"/> value.</summary>
    private static readonly string[] FieldNames =
        [.. System.Enum.GetNames<CallField>().Select(name => char.ToLowerInvariant(name[0]) + name[1..])];

    private static readonly string[] KnownFields = FieldNames[1..];

    /// <summary>What <see cref="char.IsControl(char)"/> is true for: U+0000–U+001F and U+007F–U+009F.</summary>
    private static readonly SearchValues<char> ControlCharacters = SearchValues.Create(
        Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7F, 0x21)).Select(c => (char)c).ToArray());

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>Shared by every thread that parses; bounded, so high-cardinality values only cost their slot.</summary>
    private static readonly Utf8StringCache RepeatedValues = new(capacity: 1024, maxValueBytes: 64);

    /// <summary>Tag values apart, so a high-cardinality tag (a request id) cannot evict the models and providers.</summary>
    private static readonly Utf8StringCache TagValues = new(capacity: 512, maxValueBytes: 64);

    private static readonly SearchValues<char> IdCharacters = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-");

    /// <summary>
    /// Parses and validates one record; returns the event, or null with at least one error (malformed JSON is one
    /// <c>syntax</c> error for the record). Never throws for any <paramref name="json"/>.
    /// </summary>
    /// <param name="json">The record's UTF-8 bytes.</param>
    /// <param name="context">The sending key's tenant and project, the clock and the retention.</param>
    /// <param name="errors">Receives every problem found.</param>
    /// <param name="assignId">Makes an id for a record that has none.</param>
    /// <param name="id">The record's id as sent (null when absent or unreadable), to report a rejected record by.</param>
    public static CallEvent? Parse(ReadOnlySpan<byte> json, CallEventContext context, List<FieldError> errors, Func<string> assignId, out string? id)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(assignId);
        var start = errors.Count;
        var fields = new Fields();
        id = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 8 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                errors.Add(NotAnObject);
                return null;
            }

            ReadObject(ref reader, ref fields, errors);
            id = fields.Id;
            if (reader.Read())
            {
                errors.Add(new FieldError("record", "syntax", "Unexpected content after the record's closing brace."));
            }
        }
        catch (JsonException e)
        {
            errors.Add(new FieldError("record", "syntax", $"Malformed JSON: {e.Message}"));
            return null;
        }

        var callEvent = Build(ref fields, context, errors, assignId);
        return errors.Count == start ? callEvent : null;
    }

    /// <summary>The error for a record that is not a JSON object.</summary>
    internal static readonly FieldError NotAnObject = new("record", "type", "A call record must be a JSON object.");

    /// <summary>
    /// Parses the record whose <c>{</c> <paramref name="reader"/> is on, leaving the reader on its <c>}</c>, so a batch is
    /// read in one pass; a field's error leaves the reader past that field. Malformed JSON throws
    /// <see cref="JsonException"/>: it makes the whole batch unreadable.
    /// </summary>
    internal static CallEvent? ParseObject(ref Utf8JsonReader reader, CallEventContext context, List<FieldError> errors, Func<string> assignId, out string? id)
    {
        var start = errors.Count;
        var fields = new Fields();
        ReadObject(ref reader, ref fields, errors);
        id = fields.Id;
        var callEvent = Build(ref fields, context, errors, assignId);
        return errors.Count == start ? callEvent : null;
    }

    /// <summary>Reads the object's fields up to its <c>}</c>; every value is read or skipped whole, whatever is wrong with it.</summary>
    private static void ReadObject(ref Utf8JsonReader reader, ref Fields fields, List<FieldError> errors)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var field = reader.ValueIsEscaped || reader.HasValueSequence ? CallField.Unknown : CallFields.Of(reader.ValueSpan);
            string? unknown = null;
            if (field == CallField.Unknown)
            {
                field = ReadOtherFieldName(ref reader, errors, out unknown);
            }

            reader.Read();

            // A field sent twice is ambiguous whichever copy would count; one bit per known field (fewer than 64) tells it
            // cheaply. Unknown fields have none: each is reported where it is.
            var bit = (1UL << (int)field) & ~1UL;
            if ((fields.Sent & bit) != 0)
            {
                AddDuplicate(field, errors);
                reader.Skip();
                continue;
            }

            fields.Sent |= bit;
            switch (field)
            {
                case CallField.Id: fields.Id = Text(ref reader, "id", errors); break;
                case CallField.Timestamp: ReadTimestampField(ref reader, ref fields, errors); break;
                case CallField.Project: fields.Project = Text(ref reader, "project", errors); break;
                case CallField.Service: fields.Service = RepeatedText(ref reader, "service", errors); break;
                case CallField.Release: fields.Release = RepeatedText(ref reader, "release", errors); break;
                case CallField.Environment: fields.Environment = RepeatedText(ref reader, "environment", errors); break;
                case CallField.Provider: fields.Provider = RepeatedText(ref reader, "provider", errors); break;
                case CallField.Model: fields.Model = RepeatedText(ref reader, "model", errors); break;
                case CallField.ResponseModel: fields.ResponseModel = RepeatedText(ref reader, "responseModel", errors); break;
                case CallField.Deployment: fields.Deployment = RepeatedText(ref reader, "deployment", errors); break;
                case CallField.Operation: fields.Operation = RepeatedText(ref reader, "operation", errors); break;
                case CallField.InputTokens: fields.InputTokens = Integer(ref reader, "inputTokens", errors); break;
                case CallField.OutputTokens: fields.OutputTokens = Integer(ref reader, "outputTokens", errors); break;
                case CallField.CachedInputTokens: fields.CachedInputTokens = Integer(ref reader, "cachedInputTokens", errors); break;
                case CallField.CacheWriteTokens: fields.CacheWriteTokens = Integer(ref reader, "cacheWriteTokens", errors); break;
                case CallField.ReasoningTokens: fields.ReasoningTokens = Integer(ref reader, "reasoningTokens", errors); break;
                case CallField.LatencyMs: fields.LatencyMs = Number(ref reader, "latencyMs", errors); break;
                case CallField.TimeToFirstTokenMs: fields.TimeToFirstTokenMs = Number(ref reader, "timeToFirstTokenMs", errors); break;
                case CallField.Status: fields.Status = RepeatedText(ref reader, "status", errors); break;
                case CallField.ErrorType: fields.ErrorType = RepeatedText(ref reader, "errorType", errors); break;
                case CallField.HttpStatus: fields.HttpStatus = Integer(ref reader, "httpStatus", errors); break;
                case CallField.UserId: fields.UserId = Text(ref reader, "userId", errors); break;
                case CallField.SessionId: fields.SessionId = Text(ref reader, "sessionId", errors); break;
                case CallField.Department: fields.Department = RepeatedText(ref reader, "department", errors); break;
                case CallField.Experiment: fields.Experiment = RepeatedText(ref reader, "experiment", errors); break;
                case CallField.Variant: fields.Variant = RepeatedText(ref reader, "variant", errors); break;
                case CallField.TraceId: fields.TraceId = Text(ref reader, "traceId", errors); break;
                case CallField.SpanId: fields.SpanId = Text(ref reader, "spanId", errors); break;
                case CallField.ParentSpanId: fields.ParentSpanId = Text(ref reader, "parentSpanId", errors); break;
                case CallField.ServiceTier: fields.ServiceTier = RepeatedText(ref reader, "serviceTier", errors); break;
                case CallField.DeploymentType: fields.DeploymentType = RepeatedText(ref reader, "deploymentType", errors); break;
                case CallField.Tags: fields.Tags = Tags(ref reader, errors); break;
                case CallField.CostUsd: fields.CostUsd = Decimal(ref reader, "costUsd", errors); break;
                default:
                    if (unknown is not null)
                    {
                        errors.Add(new FieldError(unknown, "unknown", UnknownFieldMessage(unknown)));
                    }

                    reader.Skip();
                    break;
            }
        }
    }

    private static void AddDuplicate(CallField field, List<FieldError> errors)
    {
        var name = FieldNames[(int)field];
        errors.Add(new FieldError(name, "duplicate", $"{name} appears twice in this record; send it once."));
    }

    /// <summary>
    /// The field named by a property name that is not a known field's name as it stands: an escaped known name, or
    /// <see cref="CallField.Unknown"/> with the name in <paramref name="unknown"/>, or with null (and an error) for a name
    /// that is not valid Unicode.
    /// </summary>
    private static CallField ReadOtherFieldName(ref Utf8JsonReader reader, List<FieldError> errors, out string? unknown)
    {
        unknown = null;
        if (JsonStrings.Check(ref reader) is var problem and not TextProblem.None)
        {
            var sent = Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
            errors.Add(new FieldError("record", "encoding", JsonStrings.Describe($"A field name (\"{Truncate(sent)}\")", problem)));
            return CallField.Unknown;
        }

        var name = reader.GetString()!;
        var field = reader.ValueIsEscaped || reader.HasValueSequence ? CallFields.Of(Encoding.UTF8.GetBytes(name)) : CallField.Unknown;
        unknown = field == CallField.Unknown ? name : null;
        return field;
    }

    /// <summary>Reads <c>timestamp</c>, parsing the common <c>yyyy-MM-ddTHH:mm:ss[.fffffff]Z</c> form straight from its bytes.</summary>
    private static void ReadTimestampField(ref Utf8JsonReader reader, ref Fields fields, List<FieldError> errors)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence && Rfc3339.TryParseUtc(reader.ValueSpan, out var value))
        {
            fields.TimestampValue = value;
            fields.Timestamp = null;
            return;
        }

        fields.TimestampValue = null;
        fields.Timestamp = Text(ref reader, "timestamp", errors);
    }

    private static CallEvent? Build(ref Fields f, CallEventContext context, List<FieldError> errors, Func<string> assignId)
    {
        var id = f.Id;
        if (id is not null && !IsValidId(id))
        {
            errors.Add(new FieldError("id", "format", $"id must be 1-{CallEventLimits.MaxIdLength} characters of letters, digits, '.', '_', ':' or '-'."));
        }

        var timestamp = f.TimestampValue is { } parsed ? CheckTimestampRange(parsed, context, errors)
            : f.Unreadable(CallField.Timestamp, f.Timestamp) ? null
            : ReadTimestamp(f.Timestamp, context, errors);
        if (f.Project is not null && f.Project != context.Project)
        {
            errors.Add(new FieldError("project", "forbidden", $"This key writes to project '{context.Project}' only, not '{f.Project}'."));
        }

        var provider = f.Unreadable(CallField.Provider, f.Provider) ? null : Required(f.Provider, "provider", errors);
        if (!f.WasSent(CallField.Model) && !f.WasSent(CallField.Deployment))
        {
            errors.Add(new FieldError("model", "required", "model is required (for Azure OpenAI, model or deployment)."));
        }

        CheckText("service", f.Service, errors);
        CheckText("release", f.Release, errors);
        CheckText("environment", f.Environment, errors);
        CheckText("provider", f.Provider, errors);
        CheckText("model", f.Model, errors);
        CheckText("responseModel", f.ResponseModel, errors);
        CheckText("deployment", f.Deployment, errors);
        CheckText("errorType", f.ErrorType, errors);
        CheckText("userId", f.UserId, errors);
        CheckText("sessionId", f.SessionId, errors);
        CheckText("department", f.Department, errors);
        CheckText("experiment", f.Experiment, errors);
        CheckText("variant", f.Variant, errors);

        if (f.WasSent(CallField.Experiment) != f.WasSent(CallField.Variant))
        {
            errors.Add(new FieldError(f.WasSent(CallField.Experiment) ? "variant" : "experiment", "required", "experiment and variant go together: send both or neither."));
        }

        CheckHex("traceId", f.TraceId, 32, errors);
        CheckHex("spanId", f.SpanId, 16, errors);
        CheckHex("parentSpanId", f.ParentSpanId, 16, errors);
        var usage = ReadUsage(ref f, errors);
        CheckLatency("latencyMs", f.LatencyMs, errors);
        CheckLatency("timeToFirstTokenMs", f.TimeToFirstTokenMs, errors);
        if (f.LatencyMs is { } latency && f.TimeToFirstTokenMs is { } ttft && ttft > latency)
        {
            errors.Add(new FieldError("timeToFirstTokenMs", "range", $"timeToFirstTokenMs ({ttft}) cannot exceed latencyMs ({latency})."));
        }

        if (f.HttpStatus is { } http && http is < 100 or > 599)
        {
            errors.Add(new FieldError("httpStatus", "range", $"httpStatus must be 100-599, not {http}."));
        }

        if (f.CostUsd is < 0)
        {
            errors.Add(new FieldError("costUsd", "range", "costUsd cannot be negative."));
        }

        var operation = Enum(f.Operation, "operation", CallOperation.Chat, errors, Operations);
        var status = Enum(f.Status, "status", CallStatus.Ok, errors, Statuses);
        var tier = Enum(f.ServiceTier, "serviceTier", ServiceTier.Standard, errors, ServiceTiers);
        AzureDeploymentType? deploymentType = f.DeploymentType is null
            ? null
            : Enum(f.DeploymentType, "deploymentType", AzureDeploymentType.Global, errors, DeploymentTypes);

        if (errors.Count > 0 || usage is null || timestamp is null || provider is null)
        {
            return null;
        }

        return new CallEvent
        {
            Id = id ?? assignId(),
            IdAssigned = id is null,
            Timestamp = timestamp.Value,
            Tenant = context.Tenant,
            Project = context.Project,
            Service = f.Service,
            Release = f.Release,
            Environment = f.Environment,
            Provider = provider,
            Model = f.Model,
            ResponseModel = f.ResponseModel,
            Deployment = f.Deployment,
            Operation = operation,
            Usage = usage,
            LatencyMs = f.LatencyMs,
            TimeToFirstTokenMs = f.TimeToFirstTokenMs,
            Status = status,
            ErrorType = f.ErrorType,
            HttpStatus = (int?)f.HttpStatus,
            UserId = f.UserId,
            SessionId = f.SessionId,
            Department = f.Department,
            Experiment = f.Experiment,
            Variant = f.Variant,
            TraceId = LowerHex(f.TraceId),
            SpanId = LowerHex(f.SpanId),
            ParentSpanId = LowerHex(f.ParentSpanId),
            ServiceTier = tier,
            DeploymentType = deploymentType,
            Tags = f.Tags ?? CallTags.Empty,
            ClientCostUsd = f.CostUsd,
        };
    }

    private static TokenUsage? ReadUsage(ref Fields f, List<FieldError> errors)
    {
        // A count sent but unreadable is reported already; checking the others against a zero in its place would mislead.
        if (f.Unreadable(CallField.InputTokens, f.InputTokens) || f.Unreadable(CallField.OutputTokens, f.OutputTokens)
            || f.Unreadable(CallField.CachedInputTokens, f.CachedInputTokens) || f.Unreadable(CallField.CacheWriteTokens, f.CacheWriteTokens)
            || f.Unreadable(CallField.ReasoningTokens, f.ReasoningTokens))
        {
            return null;
        }

        var input = f.InputTokens ?? 0;
        var output = f.OutputTokens ?? 0;
        var cached = f.CachedInputTokens ?? 0;
        var write = f.CacheWriteTokens ?? 0;
        var reasoning = f.ReasoningTokens ?? 0;
        var ok = CheckTokens("inputTokens", input, errors);
        ok &= CheckTokens("outputTokens", output, errors);
        ok &= CheckTokens("cachedInputTokens", cached, errors);
        ok &= CheckTokens("cacheWriteTokens", write, errors);
        ok &= CheckTokens("reasoningTokens", reasoning, errors);
        if (!ok)
        {
            return null;
        }

        if (cached + write > input)
        {
            errors.Add(new FieldError("inputTokens", "convention",
                $"cachedInputTokens ({cached}) + cacheWriteTokens ({write}) exceed inputTokens ({input}). inputTokens must include cache reads and writes " +
                "(OpenAI/OpenTelemetry convention); these look reported additively, as Anthropic's usage does: send inputTokens = input_tokens + cache_read_input_tokens + cache_creation_input_tokens."));
            ok = false;
        }

        if (reasoning > output)
        {
            errors.Add(new FieldError("outputTokens", "convention",
                $"reasoningTokens ({reasoning}) exceed outputTokens ({output}). outputTokens must include reasoning tokens; these look reported additively, " +
                "as Gemini's thoughtsTokenCount is: send outputTokens = candidatesTokenCount + thoughtsTokenCount."));
            ok = false;
        }

        return ok ? new TokenUsage(input, output, cached, write, reasoning) : null;
    }

    private static bool CheckTokens(string field, long value, List<FieldError> errors)
    {
        if (value < 0)
        {
            errors.Add(new FieldError(field, "range", $"{field} cannot be negative."));
            return false;
        }

        if (value > CallEventLimits.MaxTokens)
        {
            errors.Add(new FieldError(field, "range", $"{field} ({value}) is above {CallEventLimits.MaxTokens:N0}, more than any model takes in one call."));
            return false;
        }

        return true;
    }

    private static DateTimeOffset? ReadTimestamp(string? text, CallEventContext context, List<FieldError> errors)
    {
        if (text is null)
        {
            errors.Add(new FieldError("timestamp", "required", "timestamp is required: RFC 3339, UTC or with an offset (2026-11-20T10:15:30.123Z)."));
            return null;
        }

        if (!HasZone(text) || !DateTimeOffset.TryParseExact(text, RfcFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var timestamp))
        {
            errors.Add(new FieldError("timestamp", "format", $"timestamp '{Truncate(text)}' is not RFC 3339 with a time zone (2026-11-20T10:15:30.123Z or +01:00)."));
            return null;
        }

        return CheckTimestampRange(timestamp.ToUniversalTime(), context, errors);
    }

    private static DateTimeOffset? CheckTimestampRange(DateTimeOffset timestamp, CallEventContext context, List<FieldError> errors)
    {
        if (timestamp > context.Now + CallEventLimits.MaxFutureSkew)
        {
            errors.Add(new FieldError("timestamp", "range", $"timestamp {timestamp:O} is in the future (server time {context.Now:O}); check the client's clock."));
            return null;
        }

        if (timestamp < context.Now - context.Retention)
        {
            errors.Add(new FieldError("timestamp", "range", $"timestamp {timestamp:O} is older than the {context.Retention.TotalDays:0}-day retention; it would expire at once."));
            return null;
        }

        return timestamp;
    }

    /// <summary>RFC 3339 requires Z or ±hh:mm; a local time without one would be read in the server's zone.</summary>
    private static bool HasZone(string text) =>
        text.EndsWith('Z') || text.EndsWith('z') ||
        (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':' && char.IsAsciiDigit(text[^1]));

    private static readonly string[] RfcFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'",
        "yyyy-MM-dd' 'HH:mm:ssK", "yyyy-MM-dd' 'HH:mm:ss.FFFFFFFK",
    ];

    private static readonly (string Name, CallOperation Value)[] Operations =
    [
        ("chat", CallOperation.Chat), ("completion", CallOperation.Completion), ("embedding", CallOperation.Embedding), ("image", CallOperation.Image),
        ("audio", CallOperation.Audio), ("tool", CallOperation.Tool),
    ];

    private static readonly (string Name, CallStatus Value)[] Statuses = [("ok", CallStatus.Ok), ("error", CallStatus.Error)];

    private static readonly (string Name, ServiceTier Value)[] ServiceTiers =
    [
        ("standard", ServiceTier.Standard), ("default", ServiceTier.Standard), ("batch", ServiceTier.Batch), ("priority", ServiceTier.Priority), ("flex", ServiceTier.Flex),
    ];

    private static readonly (string Name, AzureDeploymentType Value)[] DeploymentTypes =
    [
        ("global", AzureDeploymentType.Global), ("data-zone", AzureDeploymentType.DataZone), ("datazone", AzureDeploymentType.DataZone), ("regional", AzureDeploymentType.Regional),
    ];

    private static T Enum<T>(string? text, string field, T fallback, List<FieldError> errors, (string Name, T Value)[] values)
        where T : struct
    {
        if (text is null)
        {
            return fallback;
        }

        foreach (var (name, value) in values)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        errors.Add(new FieldError(field, "enum", $"{field} '{Truncate(text)}' is not one of: {string.Join(", ", values.Select(v => v.Name).Distinct())}."));
        return fallback;
    }

    private static string? Required(string? value, string field, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(new FieldError(field, "required", $"{field} is required."));
            return null;
        }

        return value;
    }

    private static void CheckText(string field, string? value, List<FieldError> errors)
    {
        if (value is null)
        {
            return;
        }

        if (value.Length > CallEventLimits.MaxTextLength)
        {
            errors.Add(new FieldError(field, "length", $"{field} is {value.Length} characters; the limit is {CallEventLimits.MaxTextLength}."));
        }
        else if (value.Length == 0 || string.IsNullOrWhiteSpace(value))
        {
            errors.Add(new FieldError(field, "empty", $"{field} is empty; leave it out instead."));
        }
        else if (HasControlCharacters(value))
        {
            errors.Add(new FieldError(field, "format", $"{field} contains control characters."));
        }
    }

    /// <summary>Printable ASCII (nearly every value) is told apart by one vectorized range test before the exact one.</summary>
    private static bool HasControlCharacters(string value) =>
        value.AsSpan().ContainsAnyExceptInRange(' ', '~') && value.AsSpan().ContainsAny(ControlCharacters);

    private static void CheckHex(string field, string? value, int length, List<FieldError> errors)
    {
        if (value is not null && (value.Length != length || value.AsSpan().ContainsAnyExcept(HexDigits)))
        {
            errors.Add(new FieldError(field, "format", $"{field} must be {length} hexadecimal characters (W3C trace context)."));
        }
    }

    /// <summary>Lower-cases checked hex, allocating only when it has an upper-case digit.</summary>
    private static string? LowerHex(string? hex) => hex is not null && hex.AsSpan().ContainsAnyInRange('A', 'F') ? hex.ToLowerInvariant() : hex;

    private static void CheckLatency(string field, double? value, List<FieldError> errors)
    {
        if (value is { } ms && (double.IsNaN(ms) || ms < 0 || ms > CallEventLimits.MaxLatencyMs))
        {
            errors.Add(new FieldError(field, "range", $"{field} must be 0-{CallEventLimits.MaxLatencyMs:0} milliseconds."));
        }
    }

    private static bool IsValidId(string id) =>
        id.Length is > 0 and <= CallEventLimits.MaxIdLength && !id.AsSpan().ContainsAnyExcept(IdCharacters);

    /// <summary>
    /// Text of a field whose values repeat from record to record (provider, model, environment …), taken from
    /// <see cref="RepeatedValues"/> when its bytes were seen before, so it is neither transcoded nor allocated again.
    /// </summary>
    private static string? RepeatedText(ref Utf8JsonReader reader, string field, List<FieldError> errors) =>
        reader.TokenType == JsonTokenType.String && Repeated(ref reader, RepeatedValues) is { } value ? value : NoText(ref reader, field, errors);

    /// <summary>The string token the reader is on, from <paramref name="cache"/> when possible; null when it is not valid Unicode.</summary>
    private static string? Repeated(ref Utf8JsonReader reader, Utf8StringCache cache)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence)
        {
            return StringValue(ref reader);
        }

        var utf8 = reader.ValueSpan;
        if (cache.TryGet(utf8, out var cached))
        {
            return cached;
        }

        var value = StringValue(ref reader);
        if (value is not null)
        {
            cache.Add(utf8, value);
        }

        return value;
    }

    /// <summary>
    /// The string token the reader is on; null when it is not valid Unicode (<see cref="JsonStrings.Check(ref readonly Utf8JsonReader)"/> says why).
    /// Plain ASCII (ids, user ids, trace ids: most values) is widened straight into the string, which is cheaper than
    /// GetString's validating and transcoding passes; anything else is checked first, as GetString throws on what it cannot read.
    /// </summary>
    private static string? StringValue(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence && Ascii.IsValid(reader.ValueSpan))
        {
            return string.Create(reader.ValueSpan.Length, reader.ValueSpan, static (chars, ascii) => Ascii.ToUtf16(ascii, chars, out _));
        }

        return JsonStrings.Check(ref reader) == TextProblem.None ? reader.GetString() : null;
    }

    private static string? Text(ref Utf8JsonReader reader, string field, List<FieldError> errors) =>
        reader.TokenType == JsonTokenType.String && StringValue(ref reader) is { } value ? value : NoText(ref reader, field, errors);

    /// <summary>Reports why the value <paramref name="reader"/> is on is no text (not a string, or not valid Unicode), leaving the reader on its end.</summary>
    private static string? NoText(ref Utf8JsonReader reader, string field, List<FieldError> errors)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            errors.Add(new FieldError(field, "encoding", JsonStrings.Describe(field, JsonStrings.Check(ref reader))));
        }
        else
        {
            errors.Add(TypeError(field, "a string", reader.TokenType));
            reader.Skip();
        }

        return null;
    }

    private static long? Integer(ref Utf8JsonReader reader, string field, List<FieldError> errors)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when reader.TryGetInt64(out var value):
                return value;
            case JsonTokenType.Number:
                errors.Add(new FieldError(field, "type", $"{field} must be a whole number."));
                return null;
            default:
                errors.Add(TypeError(field, "a whole number", reader.TokenType));
                reader.Skip();
                return null;
        }
    }

    private static double? Number(ref Utf8JsonReader reader, string field, List<FieldError> errors)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when !reader.HasValueSequence && ShortDouble.TryRead(reader.ValueSpan, out var value):
                return value;
            case JsonTokenType.Number when reader.TryGetDouble(out var value):
                return value;
            case JsonTokenType.Number:
                errors.Add(new FieldError(field, "range", $"{field} is beyond what a double holds."));
                return null;
            default:
                errors.Add(TypeError(field, "a number", reader.TokenType));
                reader.Skip();
                return null;
        }
    }

    private static decimal? Decimal(ref Utf8JsonReader reader, string field, List<FieldError> errors)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when reader.TryGetDecimal(out var value):
                return value;
            case JsonTokenType.Number:
                errors.Add(new FieldError(field, "range", $"{field} is beyond what a decimal holds (±7.9e28)."));
                return null;
            default:
                errors.Add(TypeError(field, "a number", reader.TokenType));
                reader.Skip();
                return null;
        }
    }

    private static CallTags? Tags(ref Utf8JsonReader reader, List<FieldError> errors)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            errors.Add(TypeError("tags", "an object of strings", reader.TokenType));
            reader.Skip();
            return null;
        }

        var tags = new CallTags.Builder();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = Repeated(ref reader, RepeatedValues);
            if (key is null)
            {
                errors.Add(new FieldError("tags", "encoding", JsonStrings.Describe("A tag key", JsonStrings.Check(ref reader))));
                reader.Read();
                reader.Skip();
                continue;
            }

            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                errors.Add(new FieldError($"tags.{Truncate(key)}", "type", reader.TokenType == JsonTokenType.Null
                    ? $"tag '{Truncate(key)}' must be a string, not null; leave the tag out instead."
                    : $"tag '{Truncate(key)}' must be a string, not {Describe(reader.TokenType)}."));
                reader.Skip();
                continue;
            }

            var value = Repeated(ref reader, TagValues);
            if (value is null)
            {
                errors.Add(new FieldError($"tags.{Truncate(key)}", "encoding", JsonStrings.Describe($"tag '{Truncate(key)}'", JsonStrings.Check(ref reader))));
            }
            else if (key.Length is 0 or > CallEventLimits.MaxTagKeyLength)
            {
                errors.Add(new FieldError($"tags.{Truncate(key)}", "length", $"tag keys must be 1-{CallEventLimits.MaxTagKeyLength} characters."));
            }
            else if (value.Length > CallEventLimits.MaxTagValueLength)
            {
                errors.Add(new FieldError($"tags.{key}", "length", $"tag '{key}' is {value.Length} characters; the limit is {CallEventLimits.MaxTagValueLength}."));
            }
            else if (!tags.TryAdd(key, value))
            {
                errors.Add(new FieldError($"tags.{key}", "duplicate", $"tag '{key}' appears twice in this record; send it once."));
            }
        }

        if (tags.Count > CallEventLimits.MaxTags)
        {
            errors.Add(new FieldError("tags", "length", $"{tags.Count} tags; the limit is {CallEventLimits.MaxTags}."));
        }

        return tags.Build();
    }

    private static string UnknownFieldMessage(string name)
    {
        var normalized = name.Replace("_", string.Empty, StringComparison.Ordinal);
        var suggestion = KnownFields.FirstOrDefault(k => string.Equals(k, normalized, StringComparison.OrdinalIgnoreCase))
            ?? (normalized.Equals("prompttokens", StringComparison.OrdinalIgnoreCase) ? "inputTokens" : null)
            ?? (normalized.Equals("completiontokens", StringComparison.OrdinalIgnoreCase) ? "outputTokens" : null);
        return suggestion is null
            ? $"Unknown field '{Truncate(name)}'; see /api/v1/schema/call-event.json."
            : $"Unknown field '{Truncate(name)}'; did you mean '{suggestion}'?";
    }

    /// <summary>A <c>type</c> error: <paramref name="field"/> must be <paramref name="expected"/> (<c>a string</c>), not what was sent.</summary>
    private static FieldError TypeError(string field, string expected, JsonTokenType token) => new(field, "type", token == JsonTokenType.Null
        ? $"{field} must be {expected}, not null; leave the field out instead."
        : $"{field} must be {expected}, not {Describe(token)}.");

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => token.ToString().ToLowerInvariant(),
    };

    /// <summary>The first 64 characters and an ellipsis, never cutting a character of two UTF-16 units in half.</summary>
    private static string Truncate(string text) => text.Length <= 64 ? text : text[..(char.IsHighSurrogate(text[63]) ? 63 : 64)] + "…";

    private struct Fields
    {
        /// <summary>The fields the record sent, one bit per <see cref="CallField"/>.</summary>
        public ulong Sent;
        public DateTimeOffset? TimestampValue;
        public string? Id, Timestamp, Project, Service, Release, Environment, Provider, Model, ResponseModel, Deployment, Operation;
        public long? InputTokens, OutputTokens, CachedInputTokens, CacheWriteTokens, ReasoningTokens, HttpStatus;
        public double? LatencyMs, TimeToFirstTokenMs;
        public string? Status, ErrorType, UserId, SessionId, Department, Experiment, Variant, TraceId, SpanId, ParentSpanId, ServiceTier, DeploymentType;
        public CallTags? Tags;
        public decimal? CostUsd;

        public readonly bool WasSent(CallField field) => (Sent & (1UL << (int)field)) != 0;

        /// <summary>Whether the field was sent but could not be read (its error is reported): its value is null.</summary>
        public readonly bool Unreadable<T>(CallField field, T? value) => value is null && WasSent(field);
    }
}
