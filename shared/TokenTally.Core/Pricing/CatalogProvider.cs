namespace TokenTally.Core.Pricing;

/// <summary>A provider in the price catalog and the spellings that name it.</summary>
public sealed class CatalogProvider
{
    internal CatalogProvider(string id, IReadOnlyList<string> aliases)
    {
        Id = id;
        Aliases = aliases;
    }

    /// <summary>The canonical provider id (for example <c>azure-openai</c>).</summary>
    public string Id { get; }

    /// <summary>Spellings that resolve to this provider (for example <c>azure</c>, <c>azure_openai</c>), lower case.</summary>
    public IReadOnlyList<string> Aliases { get; }
}
