namespace TokenTally.Application.Alerts;

/// <summary>Something of a tenant that names a channel (a budget, an alert rule), by what it is, its id and its name.</summary>
public sealed record ChannelReference(string Kind, string Id, string Name);

/// <summary>
/// Where a feature that names channels (budgets, alert rules) says which of its items name one, so a channel still in
/// use is not deleted from under them. Each such feature registers one.
/// </summary>
public interface IChannelReferences
{
    /// <summary>The items of <paramref name="tenant"/> that name channel <paramref name="channelId"/>.</summary>
    Task<IReadOnlyList<ChannelReference>> NamingAsync(string tenant, string channelId, CancellationToken cancellationToken);
}
