using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace TokenTally.Benchmarks;

/// <summary>
/// Makes realistic call records for the benchmarks and the load driver: a fixed mix of providers and models (dated
/// snapshots, routing prefixes, an Azure deployment, an unknown model), cache and reasoning tokens, trace ids, tags,
/// a few errors, experiments and batch-tier calls. Deterministic for a seed.
/// </summary>
/// <remarks>Shared by source with bench/TokenTally.LoadDriver, so it depends on nothing but the BCL.</remarks>
public sealed class CallRecordGenerator(int seed, DateTimeOffset now)
{
    /// <summary>The Azure OpenAI deployment name the generated records use, and the model it must be mapped to.</summary>
    public const string AzureDeployment = "prod-gpt4o";

    /// <summary>The model <see cref="AzureDeployment"/> is mapped to in the project.</summary>
    public const string AzureDeploymentModel = "gpt-4o";

    // (weight, provider, model, deployment, operation, reasoning, cache reads, cache writes)
    private static readonly Profile[] Profiles =
    [
        new(26, "openai", "gpt-4o-mini-2024-07-18", Cached: true),
        new(9, "openai", "gpt-4o"),
        new(7, "openai", "o4-mini", Reasoning: true),
        new(6, "openai", "gpt-5-2025-08-07", Reasoning: true, Cached: true),
        new(5, "openai", "text-embedding-3-small", Operation: "embedding"),
        new(11, "anthropic", "claude-sonnet-4-20250514", Cached: true, CacheWrites: true),
        new(5, "anthropic", "claude-3-5-haiku-20241022"),
        new(8, "gemini", "gemini-2.5-flash", Reasoning: true),
        new(3, "vertex_ai", "models/gemini-2.5-pro", Reasoning: true),
        new(6, "azure", null, Deployment: AzureDeployment),
        new(3, "azure-openai", "gpt-4.1-mini-2025-04-14"),
        new(4, "mistral", "mistral-large-latest"),
        new(3, "meta-llama", "meta-llama/llama-3.3-70b-instruct"),
        new(3, "OpenAI", "openai/gpt-4.1-nano"),
        new(1, "openai", "gpt-7-preview"), // unknown: kept as unpriced
    ];

    private static readonly string[] Services = ["checkout-api", "search", "support-bot", "doc-indexer", "summarizer", "agent-runtime"];
    private static readonly string[] Environments = ["prod", "prod", "prod", "staging"];
    private static readonly string[] Teams = ["growth", "search", "support", "platform", "data"];
    private static readonly string[] Features = ["autocomplete", "chat", "summaries", "rag", "triage", "translate"];

    private readonly Random _random = new(seed);
    private readonly int _totalWeight = Profiles.Sum(p => p.Weight);

    /// <summary>A JSON array of <paramref name="count"/> records with ids <c>{idPrefix}{first + i:D12}</c> (all the same length).</summary>
    public byte[] Batch(int count, string idPrefix, long first)
    {
        var buffer = new ArrayBufferWriter<byte>(count * 700);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            for (var i = 0; i < count; i++)
            {
                WriteRecord(writer, Id(idPrefix, first + i));
            }

            writer.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The id of record <paramref name="sequence"/>: the prefix and twelve digits.</summary>
    public static string Id(string idPrefix, long sequence) => idPrefix + sequence.ToString("D12", CultureInfo.InvariantCulture);

    /// <summary>Writes one record.</summary>
    public void WriteRecord(Utf8JsonWriter writer, string id)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var profile = Pick();
        var timestamp = now - TimeSpan.FromMilliseconds(_random.NextInt64(1, (long)TimeSpan.FromHours(6).TotalMilliseconds));
        var embedding = profile.Operation == "embedding";
        var input = embedding ? _random.Next(8, 2_000) : _random.Next(200, 24_000);
        var cached = profile.Cached && _random.Next(3) > 0 ? _random.Next(0, input / 2) / 128 * 128 : 0;
        var cacheWrite = profile.CacheWrites && _random.Next(4) == 0 ? _random.Next(0, (input - cached) / 2) : 0;
        var output = embedding ? 0 : _random.Next(20, 3_000);
        var reasoning = profile.Reasoning ? _random.Next(0, 6_000) : 0;
        output += reasoning;
        var failed = _random.Next(50) == 0;
        var latency = Math.Round(150 + (output * 8.5) + (_random.NextDouble() * 400), 1);

        writer.WriteStartObject();
        writer.WriteString("id", id);
        writer.WriteString("timestamp", timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        writer.WriteString("service", Services[_random.Next(Services.Length)]);
        writer.WriteString("release", $"1.{_random.Next(12)}.{_random.Next(30)}");
        writer.WriteString("environment", Environments[_random.Next(Environments.Length)]);
        writer.WriteString("provider", profile.Provider);
        if (profile.Model is not null)
        {
            writer.WriteString("model", profile.Model);
        }

        if (profile.Deployment is not null)
        {
            writer.WriteString("deployment", profile.Deployment);
            writer.WriteString("deploymentType", _random.Next(3) == 0 ? "data-zone" : "global");
        }

        if (profile.Operation != "chat")
        {
            writer.WriteString("operation", profile.Operation);
        }

        writer.WriteNumber("inputTokens", input);
        writer.WriteNumber("outputTokens", output);
        if (cached > 0)
        {
            writer.WriteNumber("cachedInputTokens", cached);
        }

        if (cacheWrite > 0)
        {
            writer.WriteNumber("cacheWriteTokens", cacheWrite);
        }

        if (reasoning > 0)
        {
            writer.WriteNumber("reasoningTokens", reasoning);
        }

        writer.WriteNumber("latencyMs", latency);
        if (!embedding)
        {
            writer.WriteNumber("timeToFirstTokenMs", Math.Round(latency * (0.1 + (_random.NextDouble() * 0.3)), 1));
        }

        writer.WriteString("status", failed ? "error" : "ok");
        writer.WriteNumber("httpStatus", failed ? 429 : 200);
        if (failed)
        {
            writer.WriteString("errorType", "rate_limit_exceeded");
        }

        if (profile.Provider == "openai" && _random.Next(10) == 0)
        {
            writer.WriteString("serviceTier", "batch");
        }

        writer.WriteString("userId", $"user-{_random.Next(5_000):D5}");
        writer.WriteString("sessionId", $"sess-{_random.Next(100_000):x6}");
        if (_random.Next(20) == 0)
        {
            writer.WriteString("experiment", "prompt-v2");
            writer.WriteString("variant", _random.Next(2) == 0 ? "control" : "treatment");
        }

        writer.WriteString("traceId", Hex(16));
        writer.WriteString("spanId", Hex(8));
        writer.WriteStartObject("tags");
        writer.WriteString("team", Teams[_random.Next(Teams.Length)]);
        writer.WriteString("feature", Features[_random.Next(Features.Length)]);
        if (_random.Next(3) == 0)
        {
            writer.WriteString("customer", $"cust-{_random.Next(400):D4}");
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private Profile Pick()
    {
        var roll = _random.Next(_totalWeight);
        foreach (var profile in Profiles)
        {
            roll -= profile.Weight;
            if (roll < 0)
            {
                return profile;
            }
        }

        return Profiles[^1];
    }

    private string Hex(int bytes)
    {
        Span<byte> data = stackalloc byte[bytes];
        _random.NextBytes(data);
        return Convert.ToHexStringLower(data);
    }

    private sealed record Profile(
        int Weight,
        string Provider,
        string? Model,
        string? Deployment = null,
        string Operation = "chat",
        bool Reasoning = false,
        bool Cached = false,
        bool CacheWrites = false);
}
