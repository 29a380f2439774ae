using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using TokenTally.Application.Telemetry;

namespace TokenTally.Functions.Hosting;

public static class FunctionsTelemetry
{
    /// <summary>
    /// The worker's traces, metrics and logs, with its invocations (<c>UseFunctionsWorkerDefaults</c>), to Application
    /// Insights when APPLICATIONINSIGHTS_CONNECTION_STRING is set and over OTLP when TokenTally:Telemetry:OtlpEndpoint is;
    /// no OpenTelemetry at all when neither is.
    /// </summary>
    public static IServiceCollection AddFunctionsTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var export = TelemetryExport.Read(configuration);
        if (!export.Enabled)
        {
            return services;
        }

        var telemetry = services.AddTokenTallyOpenTelemetry(export).UseFunctionsWorkerDefaults();
        if (export.AzureMonitorConnectionString is { } connectionString)
        {
            telemetry.UseAzureMonitorExporter(azureMonitor => azureMonitor.ConnectionString = connectionString);
        }

        if (export.OtlpEndpoint is { } endpoint)
        {
            telemetry.UseOtlpExporter(export.OtlpGrpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf, endpoint);
        }

        return services;
    }
}
