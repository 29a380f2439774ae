using TokenTally.Storage.Cosmos;

namespace TokenTally.Functions.Hosting;

public enum HostingMode
{
    /// <summary>Functions when the host has set FUNCTIONS_CUSTOMHANDLER_PORT, local otherwise.</summary>
    Auto,
    Local,
    Functions,
}

/// <summary>TokenTally:Mode and the process-wide settings.</summary>
public sealed class TokenTallyOptions
{
    public const string Section = "TokenTally";

    public HostingMode Mode { get; set; } = HostingMode.Auto;
}

/// <summary>TokenTally:Local — the embedded mode a new user runs.</summary>
public sealed class LocalOptions
{
    public const string Section = "TokenTally:Local";

    /// <summary>Where SQLite, blobs and the admin key live, relative to the working directory.</summary>
    public string DataPath { get; set; } = "./.data";

    /// <summary>The loopback port to listen on (0 picks a free one).</summary>
    public int Port { get; set; } = 7071;

    /// <summary>Whether timer functions fire on their schedules in-process.</summary>
    public bool RunScheduler { get; set; } = true;

    /// <summary>How long a queue message stays hidden while a local queue-triggered function works on it.</summary>
    public TimeSpan QueueVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the local queue stand-in looks for messages when a queue is empty.</summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>TokenTally:Cosmos — the document store in functions mode.</summary>
public sealed class CosmosOptions
{
    public const string Section = "TokenTally:Cosmos";

    /// <summary>https://&lt;account&gt;.documents.azure.com:443/</summary>
    public string? Endpoint { get; set; }

    public string Database { get; set; } = "tokentally";

    /// <summary>An account key; leave empty to use managed identity (DefaultAzureCredential).</summary>
    public string? Key { get; set; }

    public CosmosReadMode ReadMode { get; set; } = CosmosReadMode.PointRead;

    /// <summary>Create the database and containers at start-up (needs a key; Bicep creates them in Azure).</summary>
    public bool CreateIfNotExists { get; set; }
}

/// <summary>TokenTally:Storage — blobs (archive, dead letters) and queues in functions mode.</summary>
public sealed class StorageAccountOptions
{
    public const string Section = "TokenTally:Storage";

    /// <summary>https://&lt;account&gt;.blob.core.windows.net, used with managed identity.</summary>
    public string? BlobServiceUri { get; set; }

    /// <summary>https://&lt;account&gt;.queue.core.windows.net, used with managed identity.</summary>
    public string? QueueServiceUri { get; set; }

    /// <summary>A connection string with an account key (Azurite); takes precedence over the URIs.</summary>
    public string? ConnectionString { get; set; }
}

/// <summary>TokenTally:Telemetry — OpenTelemetry export.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "TokenTally:Telemetry";

    /// <summary>OTLP endpoint for traces, metrics and logs; nothing is exported when empty.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>grpc or http/protobuf.</summary>
    public string OtlpProtocol { get; set; } = "http/protobuf";

    public string ServiceName { get; set; } = "tokentally";
}

/// <summary>TokenTally:Functions — where function.json files are read from.</summary>
public sealed class FunctionsOptions
{
    public const string Section = "TokenTally:Functions";

    /// <summary>
    /// The folder holding one sub-folder per function. Empty means: FUNCTIONS_APP_ROOT_PATH when the
    /// host sets it, else the repository's functions/ folder found above the working directory.
    /// </summary>
    public string? ScriptRoot { get; set; }
}

/// <summary>TokenTally:Pipeline — the hourly pipeline's run machinery.</summary>
public sealed class PipelineOptions
{
    public const string Section = "TokenTally:Pipeline";

    /// <summary>How long a runner holds an hour before another instance may take it over.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How many hours before the run's hour are recomputed too, so late calls are counted.</summary>
    public int LateDataHours { get; set; } = 3;

    /// <summary>Users kept per tenant and hour in the user cube; the rest fold into "(other)".</summary>
    public int TopUsersPerHour { get; set; } = 500;

    /// <summary>Attempts of a failing step within one run before the run is marked failed.</summary>
    public int MaxStepAttempts { get; set; } = 3;

    /// <summary>The wait before a step's second attempt; it doubles per attempt up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between attempts.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(1);
}
