using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Monitor.OpenTelemetry.Exporter;

namespace TokenTally.Testing;

/// <summary>
/// A <see cref="RecordingHttpListener"/> as the Application Insights ingestion endpoint: the connection string that points an
/// exporter at it, and the telemetry items (envelopes) the exporter posted to <c>/v2.1/track</c> as newline-delimited JSON,
/// gzip'd or not.
/// </summary>
public static class ApplicationInsightsIngestion
{
    public const string TrackPath = "/v2.1/track";

    /// <summary>Live Metrics goes to the listener too, so that nothing leaves the machine.</summary>
    public static string ConnectionString(RecordingHttpListener listener, Guid instrumentationKey) =>
        $"InstrumentationKey={instrumentationKey};IngestionEndpoint={listener.BaseAddress};LiveEndpoint={listener.BaseAddress}";

    /// <summary>
    /// The exporter for a test: every span (its default samples at five traces a second, which a burst of requests
    /// exceeds), and nothing stored on disk for a retry.
    /// </summary>
    public static void ExportEverything(AzureMonitorExporterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.TracesPerSecond = null;
        options.SamplingRatio = 1;
        options.DisableOfflineStorage = true;
    }

    public static IReadOnlyList<JsonObject> Items(RecordingHttpListener listener) =>
        listener.Requests.Where(r => r.Method == "POST" && r.Path.EndsWith(TrackPath, StringComparison.Ordinal))
            .SelectMany(r => Text(r.Body).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(line => JsonNode.Parse(line)!.AsObject())
            .ToList();

    /// <summary>Items of one type: Request, RemoteDependency, Message, Metric, …</summary>
    public static IEnumerable<JsonObject> OfType(this IEnumerable<JsonObject> items, string name) =>
        items.Where(i => (string?)i["name"] == name);

    /// <summary>The sum of a metric's values (counts, or a histogram's sums) over every item whose dimensions include <paramref name="dimensions"/>.</summary>
    public static double Sum(this IEnumerable<JsonObject> items, string metric, params (string Name, string Value)[] dimensions) =>
        Points(items, metric, dimensions).Sum(p => (double)p.Point["value"]!);

    /// <summary>How many measurements a histogram holds over every item whose dimensions include <paramref name="dimensions"/>.</summary>
    public static long Count(this IEnumerable<JsonObject> items, string metric, params (string Name, string Value)[] dimensions) =>
        Points(items, metric, dimensions).Sum(p => (long?)p.Point["count"] ?? 1);

    /// <summary>Every dimension set a metric was exported with.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Dimensions(this IEnumerable<JsonObject> items, string metric) =>
        Points(items, metric, []).Select(p => p.Properties).ToList();

    /// <summary>An item as text without its <c>iKey</c>, the one field that must carry the instrumentation key.</summary>
    public static string TextWithoutInstrumentationKey(JsonObject item)
    {
        var copy = item.DeepClone().AsObject();
        copy.Remove("iKey");
        return copy.ToJsonString();
    }

    private static IEnumerable<(JsonNode Point, IReadOnlyDictionary<string, string> Properties)> Points(IEnumerable<JsonObject> items, string metric, (string Name, string Value)[] dimensions)
    {
        foreach (var item in items.OfType("Metric"))
        {
            var data = item["data"]!["baseData"]!;
            var properties = (data["properties"] as JsonObject ?? [])
                .ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? string.Empty, StringComparer.Ordinal);
            if (!dimensions.All(d => properties.TryGetValue(d.Name, out var value) && value == d.Value))
            {
                continue;
            }

            foreach (var point in data["metrics"]!.AsArray().Where(p => (string?)p!["name"] == metric))
            {
                yield return (point!, properties);
            }
        }
    }

    private static string Text(byte[] body)
    {
        if (body is [0x1f, 0x8b, ..])
        {
            using var gzip = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
            using var reader = new StreamReader(gzip, Encoding.UTF8);
            return reader.ReadToEnd();
        }

        return Encoding.UTF8.GetString(body);
    }
}
