using TokenTally.Application.Alerts.Channels;
using TokenTally.Application.Projects;
using TokenTally.Storage.Documents;

namespace TokenTally.Application.Alerts;

/// <summary>
/// A channel as stored: its name, its definition (which names its secrets by <see cref="SecretRef"/> only) and when each
/// secret was last set. No secret value is ever part of it.
/// </summary>
public sealed record ChannelDocument(
    string Id,
    string Tenant,
    string Name,
    AlertChannel Definition,
    IReadOnlyDictionary<string, DateTimeOffset> SecretsUpdatedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A stored channel with the etag of its document.</summary>
public sealed record StoredChannel(ChannelDocument Channel, string ETag);

/// <summary>
/// Channels in the config container: partition = the tenant, id and range key = <c>channel:&lt;id&gt;</c> (the layout
/// <see cref="ConfigChannelDirectory"/> reads). Writes are conditional on the document's etag.
/// </summary>
public sealed class ChannelStore(IDocumentStore store)
{
    private readonly TenantDocumentSet<ChannelDocument> _channels = new(store, ConfigChannelDirectory.IdPrefix);

    /// <summary>A new channel id: 16 lower-case hex digits.</summary>
    public static string NewId() => TenantDocumentSet<ChannelDocument>.NewId();

    /// <summary>The reference under which secret <paramref name="name"/> of channel <paramref name="channelId"/> is named, unique in its tenant.</summary>
    public static SecretRef SecretRefOf(string channelId, string name) => new($"{channelId}:{name}");

    /// <summary>The secret's name within its channel (<c>webhookUrl</c>), from its reference.</summary>
    public static string SecretNameOf(SecretRef reference) => reference.Name[(reference.Name.IndexOf(':', StringComparison.Ordinal) + 1)..];

    public async Task<StoredChannel?> GetAsync(string tenant, string id, CancellationToken cancellationToken) =>
        await _channels.GetAsync(tenant, id, cancellationToken) is { } stored ? new StoredChannel(stored.Value, stored.ETag) : null;

    /// <summary>Every channel of <paramref name="tenant"/>, by name then id.</summary>
    public async Task<IReadOnlyList<StoredChannel>> ListAsync(string tenant, CancellationToken cancellationToken) =>
        (await _channels.ListAsync(tenant, cancellationToken)).Select(c => new StoredChannel(c.Value, c.ETag))
            .OrderBy(c => c.Channel.Name, StringComparer.Ordinal).ThenBy(c => c.Channel.Id, StringComparer.Ordinal).ToList();

    /// <summary>Writes a new channel; its id must be new (<see cref="WriteStatus.Conflict"/> otherwise).</summary>
    public Task<WriteResult> CreateAsync(ChannelDocument channel, CancellationToken cancellationToken) =>
        _channels.CreateAsync(channel.Tenant, channel.Id, channel, cancellationToken);

    /// <summary>Replaces a channel whose document still has <paramref name="etag"/>; <see cref="WriteStatus.PreconditionFailed"/> when it changed meanwhile.</summary>
    public Task<WriteResult> ReplaceAsync(ChannelDocument channel, string etag, CancellationToken cancellationToken) =>
        _channels.ReplaceAsync(channel.Tenant, channel.Id, channel, etag, cancellationToken);

    /// <summary>Deletes a channel, if its document still has <paramref name="etag"/>.</summary>
    public Task<WriteResult> DeleteAsync(string tenant, string id, string etag, CancellationToken cancellationToken) =>
        _channels.DeleteAsync(tenant, id, etag, cancellationToken);
}
