using System.Text.Json.Nodes;
using TokenTally.Storage.Documents;

namespace TokenTally.Application.Alerts;

/// <summary>The secret values of a tenant's channels (webhook URLs, signing secrets, passwords, access keys), kept apart from the channels.</summary>
public interface IChannelSecretStore
{
    /// <summary>Stores <paramref name="value"/> as the secret <paramref name="name"/> of the channel, replacing any earlier value.</summary>
    Task PutAsync(string tenant, string channelId, string name, string value, CancellationToken cancellationToken);

    /// <summary>The value of the secret; null when there is none.</summary>
    Task<string?> GetAsync(string tenant, string channelId, string name, CancellationToken cancellationToken);

    /// <summary>Deletes the secret; nothing happens when there is none.</summary>
    Task DeleteAsync(string tenant, string channelId, string name, CancellationToken cancellationToken);
}

/// <summary>
/// Channel secrets as documents of the config container in a partition of their own, <c>&lt;tenant&gt;|secrets</c>, id
/// <c>channel:&lt;channelId&gt;:&lt;name&gt;</c>: never in the partition the channel and budget endpoints read, so no listing
/// can reach a value. The same port works on SQLite (local mode) and Table Storage; Key Vault can take its place.
/// </summary>
internal sealed class ConfigChannelSecretStore(IDocumentStore store) : IChannelSecretStore
{
    private const string ValueProperty = "value";

    public static string Partition(string tenant) => tenant + "|secrets";

    public static string DocumentId(string channelId, string name) => $"channel:{channelId}:{name}";

    public async Task PutAsync(string tenant, string channelId, string name, string value, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        var written = await store.UpsertAsync(
            DocumentContainer.Config, new DocumentWrite(Partition(tenant), DocumentId(channelId, name), new JsonObject { [ValueProperty] = value }), WriteCondition.None, cancellationToken);
        if (!written.Succeeded)
        {
            throw new InvalidOperationException($"Secret '{name}' of channel {tenant}/{channelId} was not stored: {written.Status}.");
        }
    }

    public async Task<string?> GetAsync(string tenant, string channelId, string name, CancellationToken cancellationToken) =>
        await store.GetAsync(DocumentContainer.Config, Partition(tenant), DocumentId(channelId, name), cancellationToken) is { } document
            ? document.Data[ValueProperty]?.GetValue<string>()
            : null;

    public async Task DeleteAsync(string tenant, string channelId, string name, CancellationToken cancellationToken) =>
        await store.DeleteAsync(DocumentContainer.Config, Partition(tenant), DocumentId(channelId, name), null, cancellationToken);
}
