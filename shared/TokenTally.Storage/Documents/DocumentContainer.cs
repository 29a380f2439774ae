namespace TokenTally.Storage.Documents;

/// <summary>The document containers TokenTally keeps. Each maps to one Cosmos DB container or one SQLite table partition.</summary>
public enum DocumentContainer
{
    Calls,
    Traces,
    Rollups,
    Config,
    Runs,
}

public static class DocumentContainerNames
{
    /// <summary>The physical name: lower case, as the Bicep template creates it.</summary>
    public static string Of(DocumentContainer container) => container switch
    {
        DocumentContainer.Calls => "calls",
        DocumentContainer.Traces => "traces",
        DocumentContainer.Rollups => "rollups",
        DocumentContainer.Config => "config",
        DocumentContainer.Runs => "runs",
        _ => throw new ArgumentOutOfRangeException(nameof(container), container, "Unknown container."),
    };
}
