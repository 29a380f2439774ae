using System.Net;
using System.Text;
using Azure.Monitor.OpenTelemetry.Exporter;
using TokenTally.Application.Telemetry;
using TokenTally.Local.Tests.Infrastructure;
using TokenTally.Testing;

namespace TokenTally.Local.Tests;

/// <summary>
/// With an OTLP endpoint or an Application Insights connection string set, requests leave the process as traces and
/// metrics, with the product's own metrics, and no API key goes with them.
/// </summary>
[Collection(ProductMeterCollection.Name)]
public sealed class TelemetryTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    [Fact]
    public async Task RequestsAreExportedAsOtlpTracesAndMetricsWithoutTheirKeys()
    {
        using var collector = new RecordingHttpListener();
        string[] keys;
        await using (var app = await LocalModeApp.StartAsync(_folder.Path, [$"--TokenTally:Telemetry:OtlpEndpoint={collector.BaseAddress}", "--TokenTally:Telemetry:ServiceName=tokentally-under-test", "--Logging:LogLevel:Default=Debug"]))
        {
            var access = await ProjectAccess.CreateAsync(app.Client, app.AdminKey);
            var wrongKey = "tt_0123456789ab_" + Guid.NewGuid().ToString("N");
            keys = [access.Key, access.AdminKey, wrongKey];
            var at = TimeProvider.System.GetUtcNow().AddMinutes(-5);
            await SendAsync(app.Client, ApiRequests.WithKey(HttpMethod.Post, "/api/v1/events", access.Key, CallRecords.Batch([CallRecords.Record("call-1", at), CallRecords.Record("call-2", at)])), HttpStatusCode.OK);
            await SendAsync(app.Client, ApiRequests.WithKey(HttpMethod.Get, "/api/v1/calls/call-1", access.Key), HttpStatusCode.OK);
            await SendAsync(app.Client, ApiRequests.WithKey(HttpMethod.Get, "/api/v1/costs?granularity=hour", access.Key), HttpStatusCode.OK);
            await SendAsync(app.Client, ApiRequests.WithKey(HttpMethod.Get, "/api/v1/costs", wrongKey), HttpStatusCode.Unauthorized);

            // Stopping flushes the exporters (metrics are otherwise exported every 15 s).
            await app.StopAsync();
        }

        Assert.Contains(collector.Requests, r => r.Path == "/v1/logs");
        var traces = collector.Requests.Where(r => r.Path == "/v1/traces").ToList();
        var metrics = collector.Requests.Where(r => r.Path == "/v1/metrics").ToList();
        Assert.NotEmpty(traces);
        Assert.NotEmpty(metrics);
        Assert.All(traces.Concat(metrics), r => Assert.Equal(("POST", "application/x-protobuf"), (r.Method, r.ContentType)));
        var spans = Text(traces);
        Assert.Contains("tokentally-under-test", spans, StringComparison.Ordinal);
        Assert.Contains("GET /api/v1/calls/{id}", spans, StringComparison.Ordinal);
        Assert.Contains("http.route", spans, StringComparison.Ordinal);
        Assert.DoesNotContain("TaskHubSidecarService", spans, StringComparison.Ordinal);

        var measured = Text(metrics);
        Assert.Contains("http.server.request.duration", measured, StringComparison.Ordinal);
        Assert.Contains("/api/v1/events", measured, StringComparison.Ordinal);
        Assert.Contains("/api/v1/calls/{id}", measured, StringComparison.Ordinal);
        Assert.Contains("/api/v1/costs", measured, StringComparison.Ordinal);
        Assert.All(collector.Requests, request => Assert.All(keys, key =>
            Assert.False(Text([request]).Contains(key, StringComparison.Ordinal), $"An API key went to the collector in {request.Path}.")));
    }

    [Fact]
    public async Task RequestsAndTheProductsMetricsReachApplicationInsightsWithoutTheirKeys()
    {
        using var ingestion = new RecordingHttpListener();
        var instrumentationKey = Guid.NewGuid();
        var connectionString = ApplicationInsightsIngestion.ConnectionString(ingestion, instrumentationKey);
        string[] secrets;
        await using (var app = await LocalModeApp.StartAsync(_folder.Path, [$"--{TelemetryExport.ConnectionStringSetting}={connectionString}"],
            services => services.Configure<AzureMonitorExporterOptions>(ApplicationInsightsIngestion.ExportEverything)))
        {
            var access = await ProjectAccess.CreateAsync(app.Client, app.AdminKey);
            secrets = [access.Key, access.AdminKey, instrumentationKey.ToString(), connectionString];
            var at = TimeProvider.System.GetUtcNow().AddMinutes(-5);
            var batch = CallRecords.Batch([CallRecords.Record("call-1", at), CallRecords.Record("call-2", at, model: "model-nobody-prices"), """{"id":"call-3"}"""]);
            await SendAsync(app.Client, ApiRequests.WithKey(HttpMethod.Post, "/api/v1/events", access.Key, batch), HttpStatusCode.MultiStatus);
            await SendAsync(app.Client, ApiRequests.WithKey(HttpMethod.Get, "/api/v1/calls/call-1", access.Key), HttpStatusCode.OK);
            await app.StopAsync();
        }

        var items = ApplicationInsightsIngestion.Items(ingestion);
        var requests = items.OfType("Request").Select(r => (string?)r["data"]!["baseData"]!["name"]).ToList();
        Assert.Contains("POST /api/v1/events", requests);
        Assert.Contains("GET /api/v1/calls/{id}", requests);
        Assert.DoesNotContain(requests, name => name?.Contains("TaskHubSidecarService", StringComparison.Ordinal) == true);
        var http = ("tokentally.intake", "http");
        Assert.Equal(2, items.Sum("tokentally.events.ingested", http, ("tokentally.ingest.outcome", "created")));
        Assert.Equal(1, items.Sum("tokentally.events.unpriced", http));
        Assert.Equal(1, items.Sum("tokentally.events.rejected", http, ("error.type", "required")));
        Assert.All(items.Dimensions("tokentally.events.ingested"), dimensions =>
            Assert.Equal(["tokentally.ingest.outcome", "tokentally.intake"], dimensions.Keys.Where(k => k.StartsWith("tokentally.", StringComparison.Ordinal)).Order(StringComparer.Ordinal)));
        Assert.All(items, item => Assert.All(secrets, secret =>
            Assert.DoesNotContain(secret, ApplicationInsightsIngestion.TextWithoutInstrumentationKey(item), StringComparison.OrdinalIgnoreCase)));
    }

    private static async Task SendAsync(HttpClient client, HttpRequestMessage request, HttpStatusCode expected)
    {
        using (request)
        {
            var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == expected, $"{request.Method} {request.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        }
    }

    private static string Text(IEnumerable<RecordedRequest> requests) => Encoding.UTF8.GetString(requests.SelectMany(r => r.Body).ToArray());

    public void Dispose() => _folder.Dispose();
}
