namespace TokenTally.Demo.EventHubs;

/// <summary>
/// TokenTally:Demo:EventHubs — publish the demo's calls to the Event Hub a deployed app reads, instead of posting them to
/// <c>/api/v1/events</c>. The namespace signs in with <c>DefaultAzureCredential</c> (managed identity, Azure CLI…); a
/// connection string is the alternative. Projects, keys and the backfill still go through the app's admin API.
/// </summary>
public sealed class DemoEventHubOptions
{
    public const string Section = DemoOptions.Section + ":EventHubs";

    /// <summary>The namespace's host name, <c>&lt;namespace&gt;.servicebus.windows.net</c>.</summary>
    public string? FullyQualifiedNamespace { get; set; }

    /// <summary>A connection string with send rights, instead of the namespace and an identity.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The hub the app's <c>IngestEvents</c> function reads (its <c>TokenTally__EventHubName</c>).</summary>
    public string? EventHubName { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(FullyQualifiedNamespace) || !string.IsNullOrWhiteSpace(ConnectionString);
}
