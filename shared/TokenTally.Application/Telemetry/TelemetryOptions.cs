using Microsoft.Extensions.Options;

namespace TokenTally.Application.Telemetry;

/// <summary>TokenTally:Telemetry — OpenTelemetry export over OTLP, beside Application Insights.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "TokenTally:Telemetry";

    /// <summary>OTLP endpoint for traces, metrics and logs; nothing goes over OTLP when empty.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>grpc or http/protobuf.</summary>
    public string OtlpProtocol { get; set; } = "http/protobuf";

    public string ServiceName { get; set; } = "tokentally";
}

/// <summary>
/// Where a host sends its telemetry: Application Insights when APPLICATIONINSIGHTS_CONNECTION_STRING is set, OTLP when
/// TokenTally:Telemetry:OtlpEndpoint is, both, or nowhere. Read while the host is composed, because it decides which
/// exporters are registered.
/// </summary>
public sealed record TelemetryExport(string? AzureMonitorConnectionString, Uri? OtlpEndpoint, bool OtlpGrpc, string ServiceName)
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    public bool Enabled => AzureMonitorConnectionString is not null || OtlpEndpoint is not null;

    /// <exception cref="OptionsValidationException">A setting is malformed; every failure names its setting.</exception>
    public static TelemetryExport Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var connectionString = configuration[ConnectionStringSetting] is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
        var failures = new List<string>();
        if (connectionString is not null && ApplicationInsightsConnectionString.Problem(connectionString) is { } problem)
        {
            failures.Add($"{ConnectionStringSetting} is not an Application Insights connection string: {problem}. Copy it from the resource's Overview page (InstrumentationKey=<guid>;IngestionEndpoint=https://…).");
        }

        Uri? otlp = null;
        if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint) && !Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out otlp))
        {
            failures.Add($"TokenTally:Telemetry:OtlpEndpoint must be an absolute URL; '{options.OtlpEndpoint}' is not.");
        }

        if (options.OtlpProtocol is not ("grpc" or "http/protobuf"))
        {
            failures.Add($"TokenTally:Telemetry:OtlpProtocol must be 'grpc' or 'http/protobuf'; '{options.OtlpProtocol}' is not.");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceName))
        {
            failures.Add("TokenTally:Telemetry:ServiceName must not be empty.");
        }

        return failures.Count > 0
            ? throw new OptionsValidationException(TelemetryOptions.Section, typeof(TelemetryOptions), failures)
            : new TelemetryExport(connectionString, otlp, options.OtlpProtocol == "grpc", options.ServiceName);
    }
}
