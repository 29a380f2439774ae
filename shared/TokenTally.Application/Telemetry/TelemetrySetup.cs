using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;
using TokenTally.Application.Health;

namespace TokenTally.Application.Telemetry;

public static class TelemetrySetup
{
    /// <summary>The product's metrics; recorded always, exported only where a host sends them.</summary>
    public static IServiceCollection AddTokenTallyTelemetry(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<TokenTallyMetrics>();
        return services;
    }

    /// <summary>
    /// OpenTelemetry for what both hosts export (<see cref="TelemetrySources"/>): traces, metrics and logs under the
    /// configured service name. The host adds its instrumentation and the exporters <paramref name="export"/> asks for.
    /// </summary>
    public static IOpenTelemetryBuilder AddTokenTallyOpenTelemetry(this IServiceCollection services, TelemetryExport export)
    {
        ArgumentNullException.ThrowIfNull(export);
        services.Configure<OpenTelemetryLoggerOptions>(logging => logging.IncludeFormattedMessage = true);
        return services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(export.ServiceName, serviceVersion: ProductVersion.Value))
            .WithTracing(tracing => tracing.AddSource([.. TelemetrySources.ActivitySources]))
            .WithMetrics(metrics => metrics.AddMeter([.. TelemetrySources.Meters]))
            .WithLogging();
    }
}
