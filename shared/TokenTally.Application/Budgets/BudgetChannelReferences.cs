using TokenTally.Application.Alerts;

namespace TokenTally.Application.Budgets;

/// <summary>The budgets of a tenant that name a channel.</summary>
internal sealed class BudgetChannelReferences(BudgetStore budgets) : IChannelReferences
{
    public async Task<IReadOnlyList<ChannelReference>> NamingAsync(string tenant, string channelId, CancellationToken cancellationToken) =>
        (await budgets.ListAsync(tenant, cancellationToken))
            .Where(b => b.Budget.Channels.Contains(channelId, StringComparer.Ordinal))
            .Select(b => new ChannelReference("budget", b.Budget.Id, b.Budget.Name))
            .ToList();
}
