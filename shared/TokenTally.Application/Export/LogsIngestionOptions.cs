namespace TokenTally.Application.Export;

/// <summary>
/// TokenTally:Export:LogsIngestion — where the hour run sends each tenant-hour's rollup rows: the Azure Monitor Logs
/// Ingestion API of a data collection rule. The export runs only when Endpoint, RuleId and StreamName are all set.
/// </summary>
public sealed class LogsIngestionOptions
{
    public const string Section = "TokenTally:Export:LogsIngestion";

    /// <summary>The API's hard limit on one request's body.</summary>
    public const int ApiMaxRequestBytes = 1_048_576;

    /// <summary>The logs ingestion endpoint: the data collection endpoint's or the rule's own (https://&lt;dce&gt;.&lt;region&gt;-1.ingest.monitor.azure.com).</summary>
    public string? Endpoint { get; set; }

    /// <summary>The data collection rule's immutable id (dcr-…).</summary>
    public string? RuleId { get; set; }

    /// <summary>The stream the rule declares for the rows (Custom-…).</summary>
    public string? StreamName { get; set; }

    /// <summary>Compress request bodies (Content-Encoding: gzip).</summary>
    public bool Gzip { get; set; } = true;

    /// <summary>Most bytes of uncompressed JSON in one request; under the API's 1 MB limit whether compressed or not.</summary>
    public int MaxRequestBytes { get; set; } = 1_000_000;

    /// <summary>Attempts of one request (the first included) on 429 and 5xx answers and network failures.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The wait before the second attempt when the answer has no Retry-After; it doubles per attempt.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The token audience of the Logs Ingestion API (Azure public cloud; monitor.azure.us / .cn elsewhere).</summary>
    public string Scope { get; set; } = "https://monitor.azure.com//.default";

    /// <summary>Whether the export is configured.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Endpoint) || !string.IsNullOrWhiteSpace(RuleId) || !string.IsNullOrWhiteSpace(StreamName);

    /// <summary>The request URI of the rule's stream.</summary>
    public Uri StreamUri() =>
        new($"{Endpoint!.TrimEnd('/')}/dataCollectionRules/{Uri.EscapeDataString(RuleId!)}/streams/{Uri.EscapeDataString(StreamName!)}?api-version=2023-01-01");
}
