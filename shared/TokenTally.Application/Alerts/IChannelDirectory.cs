using TokenTally.Core.Budgets;
using TokenTally.Core.Calls;
using TokenTally.Storage.Documents;

namespace TokenTally.Application.Alerts;

/// <summary>Which alert channels (Teams, email, webhook) a tenant has: what a budget or rule naming a channel is checked against.</summary>
public interface IChannelDirectory
{
    /// <summary>Whether <paramref name="tenant"/> has a channel with this id.</summary>
    Task<bool> ExistsAsync(string tenant, string channelId, CancellationToken cancellationToken);
}

/// <summary>Checks the channel ids a budget or rule names against the tenant's channels.</summary>
public static class ChannelDirectoryChecks
{
    /// <summary>
    /// Adds an <c>unknown</c> error for each well-formed id in <paramref name="ids"/> the tenant has no channel for (ids with an
    /// error of their own already are skipped).
    /// </summary>
    public static async Task AddUnknownAsync(this IChannelDirectory channels, string tenant, IReadOnlyList<string>? ids, List<FieldError> errors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channels);
        ArgumentNullException.ThrowIfNull(errors);
        ids ??= [];
        for (var i = 0; i < ids.Count; i++)
        {
            if (errors.All(e => e.Field != $"channels[{i}]") && BudgetValidator.IsChannelId(ids[i]) && !await channels.ExistsAsync(tenant, ids[i], cancellationToken))
            {
                errors.Add(new FieldError($"channels[{i}]", "unknown", $"Tenant {tenant} has no channel '{ids[i]}'."));
            }
        }
    }
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
