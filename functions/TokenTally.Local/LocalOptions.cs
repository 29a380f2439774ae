using Microsoft.Extensions.Options;

namespace TokenTally.Local;

/// <summary>TokenTally:Local — the embedded mode a new user runs.</summary>
public sealed class LocalOptions
{
    public const string Section = "TokenTally:Local";

    /// <summary>Where SQLite, blobs and the admin key live, relative to the working directory.</summary>
    public string DataPath { get; set; } = "./.data";

    /// <summary>The loopback port to listen on (0 picks a free one).</summary>
    public int Port { get; set; } = 7071;

    /// <summary>Whether the hourly run starts on its NCRONTAB schedule (and once at start-up, for what changed while stopped).</summary>
    public bool RunScheduler { get; set; } = true;

    public string Database => Path.Combine(Path.GetFullPath(DataPath), "tokentally.db");

    public string Blobs => Path.Combine(Path.GetFullPath(DataPath), "blobs");

    public string AdminKeyFile => Path.Combine(Path.GetFullPath(DataPath), "admin-key");
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

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
