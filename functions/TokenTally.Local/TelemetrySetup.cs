using Azure.Monitor.OpenTelemetry.Exporter;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using TokenTally.Application.Telemetry;

namespace TokenTally.Local;

public static class TelemetrySetup
{
    /// <summary>
    /// Traces (with every API request), metrics and logs to Application Insights when APPLICATIONINSIGHTS_CONNECTION_STRING
    /// is set, so a developer sees local runs beside Azure's, and over OTLP when TokenTally:Telemetry:OtlpEndpoint is.
    /// </summary>
    public static WebApplicationBuilder AddLocalTelemetry(this WebApplicationBuilder builder)
    {
        var export = TelemetryExport.Read(builder.Configuration);
        if (!export.Enabled)
        {
            return builder;
        }

        var telemetry = builder.Services.AddTokenTallyOpenTelemetry(export)
            .WithTracing(tracing => tracing.AddAspNetCoreInstrumentation(aspNetCore =>
                // The in-process Durable Task backend's gRPC calls are plumbing, not requests of the API.
                aspNetCore.Filter = context => context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) != true));
        if (export.AzureMonitorConnectionString is { } connectionString)
        {
            telemetry.UseAzureMonitorExporter(azureMonitor => azureMonitor.ConnectionString = connectionString);
        }

        if (export.OtlpEndpoint is { } endpoint)
        {
            telemetry.UseOtlpExporter(export.OtlpGrpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf, endpoint);
            builder.Services.ConfigureAll<MetricReaderOptions>(reader => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 15_000);
        }

        return builder;
    }
}
