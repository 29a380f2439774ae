using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TokenTally.Application.Health;

namespace TokenTally.Local;

/// <summary>TokenTally:Telemetry — OpenTelemetry export over OTLP.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "TokenTally:Telemetry";

    /// <summary>OTLP endpoint for traces, metrics and logs; nothing is exported when empty.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>grpc or http/protobuf.</summary>
    public string OtlpProtocol { get; set; } = "http/protobuf";

    public string ServiceName { get; set; } = "tokentally";
}

public static class TelemetrySetup
{
    /// <summary>Structured logging always; traces, metrics and logs over OTLP when TokenTally:Telemetry:OtlpEndpoint is set.</summary>
    public static WebApplicationBuilder AddLocalTelemetry(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var failures = Validate(options);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(TelemetryOptions.Section, typeof(TelemetryOptions), failures);
        }

        if (string.IsNullOrWhiteSpace(options.OtlpEndpoint))
        {
            return builder;
        }

        var endpoint = new Uri(options.OtlpEndpoint);
        var protocol = options.OtlpProtocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        var resource = ResourceBuilder.CreateDefault().AddService(options.ServiceName, serviceVersion: ProductVersion.Value);

        // OTLP/HTTP wants a full path per signal; gRPC takes the bare endpoint.
        void Configure(OtlpExporterOptions otlp, string signalPath)
        {
            otlp.Protocol = protocol;
            otlp.Endpoint = protocol == OtlpExportProtocol.Grpc ? endpoint : new Uri(endpoint, signalPath);
        }

        builder.Services.AddSingleton(_ => Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            // The in-process Durable Task backend's gRPC calls are plumbing, not requests of the API.
            .AddAspNetCoreInstrumentation(o => o.Filter = context => context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) != true)
            .AddOtlpExporter(o => Configure(o, "v1/traces"))
            .Build());
        builder.Services.AddSingleton(_ => Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
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

    private static List<string> Validate(TelemetryOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint) && !Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out _))
        {
            failures.Add($"TokenTally:Telemetry:OtlpEndpoint must be an absolute URL; '{options.OtlpEndpoint}' is not.");
        }

        if (options.OtlpProtocol is not ("grpc" or "http/protobuf"))
        {
            failures.Add($"TokenTally:Telemetry:OtlpProtocol must be 'grpc' or 'http/protobuf'; '{options.OtlpProtocol}' is not.");
        }

        return failures;
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
