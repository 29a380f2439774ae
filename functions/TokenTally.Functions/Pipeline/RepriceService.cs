using TokenTally.Functions.Ingestion;
using TokenTally.Functions.Pricing;
using TokenTally.Functions.Projects;

namespace TokenTally.Functions.Pipeline;

/// <summary>
/// Prices an hour's stored calls again with today's catalog and overrides. A call whose price
/// changed keeps its previous pricing in <see cref="StoredCall.PriceHistory"/>: the audit trail.
/// </summary>
public sealed class RepriceService(ProjectStore projects, CallRecordStore calls, CallPricer pricer, TimeProvider time, Microsoft.Extensions.Options.IOptions<IngestionOptions> ingestion)
{
    /// <summary>Reprices every tenant's calls of <paramref name="hour"/>; returns how many changed.</summary>
    public async Task<int> RepriceHourAsync(DateTimeOffset hour, CancellationToken cancellationToken)
    {
        var changed = 0;
        foreach (var tenant in await projects.ListTenantsAsync(cancellationToken))
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

            if (updates.Count > 0)
            {
                await calls.UpsertAsync(updates, ingestion.Value.Retention, cancellationToken);
                changed += updates.Count;
            }
        }

        return changed;
    }
}
