using Microsoft.Extensions.Options;

namespace TokenTally.Application.Export;

public static class ExportSetup
{
    /// <summary>The rollup export to the Logs Ingestion API, with its options validated at start-up; once configured it needs the host's Azure.Core TokenCredential.</summary>
    public static IServiceCollection AddRollupExport(this IServiceCollection services)
    {
        services.AddOptions<LogsIngestionOptions>().BindConfiguration(LogsIngestionOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LogsIngestionOptions>, LogsIngestionOptionsValidator>();
        services.AddHttpClient(LogsIngestionClient.ClientName, client => client.Timeout = TimeSpan.FromSeconds(100));
        services.AddSingleton<LogsIngestionClient>();
        services.AddSingleton<RollupExport>();
        return services;
    }
}

/// <summary>Nothing set, or all three of Endpoint, RuleId and StreamName well-formed; every failure names its setting.</summary>
internal sealed class LogsIngestionOptionsValidator(IServiceProvider services) : IValidateOptions<LogsIngestionOptions>
{
    private const string At = LogsIngestionOptions.Section;

    public ValidateOptionsResult Validate(string? name, LogsIngestionOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var endpoint) || !(endpoint.Scheme == Uri.UriSchemeHttps || (endpoint.Scheme == Uri.UriSchemeHttp && endpoint.IsLoopback)))
        {
            failures.Add($"{At}:Endpoint must be an absolute https URL (the data collection endpoint's logs ingestion endpoint); '{options.Endpoint}' is not.");
        }

        if (options.RuleId is not { Length: 36 } rule || !rule.StartsWith("dcr-", StringComparison.Ordinal) || !rule[4..].All(char.IsAsciiHexDigitLower))
        {
            failures.Add($"{At}:RuleId must be the data collection rule's immutable id (dcr- and 32 lower-case hex digits); '{options.RuleId}' is not.");
        }

        if (options.StreamName is not { Length: > 7 } stream || !stream.StartsWith("Custom-", StringComparison.Ordinal))
        {
            failures.Add($"{At}:StreamName must name the rule's custom stream (Custom-…); '{options.StreamName}' is not.");
        }

        if (options.MaxRequestBytes is < 1024 or > LogsIngestionOptions.ApiMaxRequestBytes)
        {
            failures.Add($"{At}:MaxRequestBytes must be 1024-{LogsIngestionOptions.ApiMaxRequestBytes} (the API takes at most 1 MB per request).");
        }

        if (options.MaxAttempts is < 1 or > 10)
        {
            failures.Add($"{At}:MaxAttempts must be 1-10.");
        }

        if (options.FirstRetryDelay <= TimeSpan.Zero || options.FirstRetryDelay > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{At}:FirstRetryDelay must be more than 0 and at most 00:01:00.");
        }

        if (services.GetService<Azure.Core.TokenCredential>() is null)
        {
            failures.Add($"{At} is set, but this host has no Entra ID credential to call the Logs Ingestion API with (the Functions app has one; local mode does not).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
