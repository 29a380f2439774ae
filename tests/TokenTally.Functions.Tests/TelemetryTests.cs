using System.Text;
using TokenTally.Functions.Tests.Infrastructure;
using TokenTally.Testing;

namespace TokenTally.Functions.Tests;

/// <summary>With an OTLP endpoint configured, traces and metrics leave the process over OTLP/HTTP.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task InvocationsAreExportedAsOtlpTracesAndMetrics()
    {
        using var collector = new RecordingHttpListener();
        var server = new TokenTallyServer(new Dictionary<string, string?>
        {
            ["TokenTally:Telemetry:OtlpEndpoint"] = collector.BaseAddress,
            ["TokenTally:Telemetry:ServiceName"] = "tokentally-under-test",
        });
        using (var client = server.Start())
        {
            var payload = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "HostPayloads", "HourlyPipeline.json"), TestContext.Current.CancellationToken);
            await client.PostAsync("/HourlyPipeline", new StringContent(payload, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        }

        // Stopping the server flushes the exporters.
        await server.DisposeAsync();

        var traces = collector.Requests.Where(r => r.Path == "/v1/traces").ToList();
        var metrics = collector.Requests.Where(r => r.Path == "/v1/metrics").ToList();
        Assert.NotEmpty(traces);
        Assert.NotEmpty(metrics);
        Assert.All(traces, r => Assert.Equal("application/x-protobuf", r.ContentType));
        var spans = Encoding.UTF8.GetString(traces.SelectMany(r => r.Body).ToArray());
        Assert.Contains("invoke HourlyPipeline", spans, StringComparison.Ordinal);
        Assert.Contains("tokentally-under-test", spans, StringComparison.Ordinal);
        Assert.Contains("tokentally.function.invocations", Encoding.UTF8.GetString(metrics.SelectMany(r => r.Body).ToArray()), StringComparison.Ordinal);
    }
}
