using System.Globalization;

namespace TokenTally.LoadDriver;

/// <summary>Command-line options, each bounded so that a run always ends by itself.</summary>
internal sealed record DriverOptions
{
    public const string Usage = """
        Usage: dotnet run -c Release --project bench/TokenTally.LoadDriver -- [options]
          --seconds N        measured duration per concurrency level (default 20, at most 600)
          --warmup N         unrecorded warm-up per level, in seconds (default 5, at most 120)
          --concurrency L    concurrent senders: one number or a list such as 2,4,8 (default 4, each at most 64)
          --batch N          records per batch (default 500, at most 5000)
          --max-batches N    stop a level after this many measured batches (default 1000000)
          --server-dll PATH  the server to start (default: functions/TokenTally.Local/bin/<configuration>/net10.0/TokenTally.Local.dll)
          --out PATH         where to write the markdown results (default artifacts/bench/http-<utc time>.md)
          --keep-data        keep each level's temporary data folder (SQLite database, logs)
          --budget-status    instead of ingestion, load GET /api/v1/budgets/status at --rate requests/s (open loop) for --seconds
          --rate N           requests per second for --budget-status (default 500, at most 5000)
          --event-hub NAME   publish the batches to this Event Hub instead of posting them to a local server: each batch is
                             one event (a JSON array with the key in its api-key property) for a deployed app's IngestEvents;
                             the project key comes from the environment variable TOKENTALLY_API_KEY
          --event-hub-namespace HOST
                             the hub's namespace (<namespace>.servicebus.windows.net), signed in with DefaultAzureCredential;
                             or a connection string in the environment variable TOKENTALLY_EVENTHUB_CONNECTION_STRING
        """;

    /// <summary>The environment variable holding the project key published events carry (never a command-line argument).</summary>
    public const string ApiKeyVariable = "TOKENTALLY_API_KEY";

    /// <summary>The environment variable holding an Event Hubs connection string (never a command-line argument).</summary>
    public const string ConnectionStringVariable = "TOKENTALLY_EVENTHUB_CONNECTION_STRING";

    public int Seconds { get; init; } = 20;

    public int WarmupSeconds { get; init; } = 5;

    public IReadOnlyList<int> Concurrency { get; init; } = [4];

    public int BatchSize { get; init; } = 500;

    public int MaxBatches { get; init; } = 1_000_000;

    public string? ServerDll { get; init; }

    public string? Out { get; init; }

    public bool KeepData { get; init; }

    public string? EventHub { get; init; }

    public bool BudgetStatus { get; init; }

    public int Rate { get; init; } = 500;

    public string? EventHubNamespace { get; init; }

    public static DriverOptions Parse(string[] args)
    {
        var options = new DriverOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--seconds" => options with { Seconds = Bounded("--seconds", Value(), 1, 600) },
                "--warmup" => options with { WarmupSeconds = Bounded("--warmup", Value(), 0, 120) },
                "--concurrency" => options with { Concurrency = Value().Split(',').Select(c => Bounded("--concurrency", c, 1, 64)).ToArray() },
                "--batch" => options with { BatchSize = Bounded("--batch", Value(), 1, 5_000) },
                "--max-batches" => options with { MaxBatches = Bounded("--max-batches", Value(), 1, 10_000_000) },
                "--server-dll" => options with { ServerDll = Value() },
                "--out" => options with { Out = Value() },
                "--keep-data" => options with { KeepData = true },
                "--budget-status" => options with { BudgetStatus = true },
                "--rate" => options with { Rate = Bounded("--rate", Value(), 1, 5_000) },
                "--event-hub" => options with { EventHub = Value() },
                "--event-hub-namespace" => options with { EventHubNamespace = HostName("--event-hub-namespace", Value()) },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'."),
            };
        }

        return options.EventHubNamespace is not null && options.EventHub is null
            ? throw new ArgumentException("--event-hub-namespace needs --event-hub.")
            : options;
    }

    private static string HostName(string option, string text) =>
        Uri.CheckHostName(text) == UriHostNameType.Dns ? text : throw new ArgumentException($"{option} must be a host name such as <namespace>.servicebus.windows.net, not '{text}'.");

    private static int Bounded(string option, string text, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{option} must be a whole number from {min} to {max}, not '{text}'.");
}
