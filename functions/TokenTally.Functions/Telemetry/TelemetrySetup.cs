using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TokenTally.Functions.Hosting;

namespace TokenTally.Functions.Telemetry;

public static class TelemetrySetup
{
    /// <summary>Structured logging always; traces, metrics and logs over OTLP when TokenTally:Telemetry:OtlpEndpoint is set.</summary>
    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TokenTallyTelemetry>();
        var options = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (string.IsNullOrWhiteSpace(options.OtlpEndpoint) || !Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out var endpoint))
        {
            return builder;
        }

        var protocol = options.OtlpProtocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        var resource = ResourceBuilder.CreateDefault().AddService(options.ServiceName, serviceVersion: HostingEnvironment.Version);

        // OTLP/HTTP wants a full path per signal; gRPC takes the bare endpoint.
        void Configure(OtlpExporterOptions otlp, string signalPath)
        {
            otlp.Protocol = protocol;
            otlp.Endpoint = protocol == OtlpExportProtocol.Grpc ? endpoint : new Uri(endpoint, signalPath);
        }

        builder.Services.AddSingleton(_ => Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(TokenTallyTelemetry.Name, "Microsoft.AspNetCore")
            .AddOtlpExporter(o => Configure(o, "v1/traces"))
            .Build());
        builder.Services.AddSingleton(_ => Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(TokenTallyTelemetry.Name, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddOtlpExporter((o, reader) =>
            {
                Configure(o, "v1/metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 15_000;
            })
            .Build());
        builder.Services.AddHostedService<TelemetryProviders>();
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.SetResourceBuilder(resource);
            logging.IncludeFormattedMessage = true;
            logging.AddOtlpExporter(o => Configure(o, "v1/logs"));
        });
        return builder;
    }

    /// <summary>Builds the providers at start-up (they only listen once created) and flushes them at shutdown.</summary>
    private sealed class TelemetryProviders(TracerProvider tracing, MeterProvider metrics) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            tracing.ForceFlush(5_000);
            metrics.ForceFlush(5_000);
            return Task.CompletedTask;
        }
    }
}
