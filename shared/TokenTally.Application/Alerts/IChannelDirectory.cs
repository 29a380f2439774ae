using TokenTally.Storage.Documents;

namespace TokenTally.Application.Alerts;

/// <summary>Which alert channels (Teams, email, webhook) a tenant has: what a budget or rule naming a channel is checked against.</summary>
public interface IChannelDirectory
{
    /// <summary>Whether <paramref name="tenant"/> has a channel with this id.</summary>
    Task<bool> ExistsAsync(string tenant, string channelId, CancellationToken cancellationToken);
}

/// <summary>
/// Channels as documents of the config container: partition = the tenant, id = <c>channel:&lt;channelId&gt;</c> (beside the
/// tenant's <c>project:…</c> and <c>budget:…</c> documents). A channel's secrets are stored apart, not in this document.
/// </summary>
public sealed class ConfigChannelDirectory(IDocumentStore store) : IChannelDirectory
{
    /// <summary>The prefix of a channel document's id.</summary>
    public const string IdPrefix = "channel:";

    /// <summary>The id of the document of channel <paramref name="channelId"/> in its tenant's partition.</summary>
    public static string DocumentId(string channelId) => IdPrefix + channelId;

    public async Task<bool> ExistsAsync(string tenant, string channelId, CancellationToken cancellationToken) =>
        await store.GetAsync(DocumentContainer.Config, tenant, DocumentId(channelId), cancellationToken) is not null;
}
