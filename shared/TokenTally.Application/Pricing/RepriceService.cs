using Microsoft.Extensions.Options;
using TokenTally.Application.Calls;
using TokenTally.Application.Projects;
using TokenTally.Core.Calls;

namespace TokenTally.Application.Pricing;

/// <summary>
/// Prices a tenant-hour's stored calls again with today's catalog and overrides. A call whose price changed keeps its
/// previous pricing in <see cref="StoredCall.PriceHistory"/> (the audit trail), and the ledger marks the hour changed.
/// </summary>
public sealed class RepriceService(ProjectStore projects, CallRecordStore calls, CallPricer pricer, TimeProvider time, IOptions<LedgerOptions> ledger)
{
    /// <summary>Reprices the tenant's calls of <paramref name="hour"/>; returns how many changed.</summary>
    public async Task<int> RepriceHourAsync(string tenant, DateTimeOffset hour, CancellationToken cancellationToken)
    {
        var overrides = await pricer.GetOverridesAsync(tenant, cancellationToken);
        var projectCache = new Dictionary<string, Project?>(StringComparer.Ordinal);
        var updates = new List<StoredCall>();
        await foreach (var call in calls.ReadHourAsync(tenant, hour, cancellationToken))
        {
            if (!projectCache.TryGetValue(call.Event.Project, out var project))
            {
                projectCache[call.Event.Project] = project = await projects.GetAsync(tenant, call.Event.Project, cancellationToken);
            }

            if (project is null)
            {
                continue;
            }

            var repriced = pricer.Price(call.Event, project, overrides);
            if (repriced.Cost?.PriceVersion != call.Pricing.Cost?.PriceVersion || repriced.Cost?.Total != call.Pricing.Cost?.Total || repriced.Model != call.Pricing.Model)
            {
                var history = (call.PriceHistory ?? []).Append(new PriceChange(call.Pricing, time.GetUtcNow())).ToList();
                updates.Add(call with { Pricing = repriced, PriceHistory = history });
            }
        }

        await calls.UpsertAsync(updates, ledger.Value.Retention, cancellationToken);
        return updates.Count;
    }
}
