using Microsoft.Extensions.Options;

namespace TokenTally.Functions.Hosting;

/// <summary>Functions mode cannot run on local defaults: each missing setting is named by its full path.</summary>
internal sealed class CosmosOptionsValidator(HostingEnvironment hosting) : IValidateOptions<CosmosOptions>
{
    public ValidateOptionsResult Validate(string? name, CosmosOptions options)
    {
        if (hosting.IsLocal)
        {
            return ValidateOptionsResult.Success;
        }

        if (string.IsNullOrWhiteSpace(options.Endpoint))
        {
            return ValidateOptionsResult.Fail("functions mode needs TokenTally:Cosmos:Endpoint (env TokenTally__Cosmos__Endpoint), e.g. https://<account>.documents.azure.com:443/");
        }

        if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            return ValidateOptionsResult.Fail($"TokenTally:Cosmos:Endpoint must be an absolute https URL; '{options.Endpoint}' is not.");
        }

        return string.IsNullOrWhiteSpace(options.Database)
            ? ValidateOptionsResult.Fail("TokenTally:Cosmos:Database must not be empty.")
            : ValidateOptionsResult.Success;
    }
}

internal sealed class StorageAccountOptionsValidator(HostingEnvironment hosting) : IValidateOptions<StorageAccountOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageAccountOptions options)
    {
        if (hosting.IsLocal || !string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        CheckUri(options.BlobServiceUri, "TokenTally:Storage:BlobServiceUri", "https://<account>.blob.core.windows.net", failures);
        CheckUri(options.QueueServiceUri, "TokenTally:Storage:QueueServiceUri", "https://<account>.queue.core.windows.net", failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckUri(string? value, string setting, string example, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            failures.Add($"functions mode needs {setting} (env {setting.Replace(":", "__", StringComparison.Ordinal)}), e.g. {example}, or TokenTally:Storage:ConnectionString");
        }
        else if (!Uri.TryCreate(value, UriKind.Absolute, out _))
        {
            failures.Add($"{setting} must be an absolute URL; '{value}' is not.");
        }
    }
}

internal sealed class LocalOptionsValidator : IValidateOptions<LocalOptions>
{
    public ValidateOptionsResult Validate(string? name, LocalOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataPath))
        {
            failures.Add("TokenTally:Local:DataPath must name a folder.");
        }

        if (options.Port is < 0 or > 65535)
        {
            failures.Add($"TokenTally:Local:Port must be 0-65535; {options.Port} is not.");
        }

        if (options.QueueVisibilityTimeout <= TimeSpan.Zero)
        {
            failures.Add("TokenTally:Local:QueueVisibilityTimeout must be positive.");
        }

        if (options.QueuePollInterval <= TimeSpan.Zero)
        {
            failures.Add("TokenTally:Local:QueuePollInterval must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint) && !Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out _))
        {
            return ValidateOptionsResult.Fail($"TokenTally:Telemetry:OtlpEndpoint must be an absolute URL; '{options.OtlpEndpoint}' is not.");
        }

        return options.OtlpProtocol is "grpc" or "http/protobuf"
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"TokenTally:Telemetry:OtlpProtocol must be 'grpc' or 'http/protobuf'; '{options.OtlpProtocol}' is not.");
    }
}

internal sealed class PipelineOptionsValidator : IValidateOptions<PipelineOptions>
{
    public ValidateOptionsResult Validate(string? name, PipelineOptions options)
    {
        var failures = new List<string>();
        if (options.LeaseDuration <= TimeSpan.Zero)
        {
            failures.Add("TokenTally:Pipeline:LeaseDuration must be positive.");
        }

        if (options.LateDataHours is < 0 or > 48)
        {
            failures.Add("TokenTally:Pipeline:LateDataHours must be 0-48.");
        }

        if (options.TopUsersPerHour < 1)
        {
            failures.Add("TokenTally:Pipeline:TopUsersPerHour must be at least 1.");
        }

        if (options.MaxStepAttempts < 1)
        {
            failures.Add("TokenTally:Pipeline:MaxStepAttempts must be at least 1.");
        }

        if (options.RetryBaseDelay < TimeSpan.Zero || options.RetryMaxDelay < options.RetryBaseDelay)
        {
            failures.Add("TokenTally:Pipeline:RetryBaseDelay must be zero or more and RetryMaxDelay at least as long.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
