using TokenTally.Application.Calls;
using TokenTally.Application.Costs;
using TokenTally.Core.Budgets;
using TokenTally.Core.Rollups;

namespace TokenTally.Application.Budgets.Status;

/// <summary>The calls of the tenant-hours not rolled up since they changed, read once and shared by every budget of one answer.</summary>
public sealed class UnrolledHours(IReadOnlyDictionary<DateTimeOffset, IReadOnlyList<CallFact>> calls)
{
    /// <summary>Each hour whose rollup is missing or out of date, with its calls as the ledger holds them now.</summary>
    public IReadOnlyDictionary<DateTimeOffset, IReadOnlyList<CallFact>> Calls { get; } = calls;
}

/// <summary>
/// A budget scope's spend in a period up to now, exact and as fresh as the ledger: the hourly rollups of the period, except
/// the hours changed since their rollup (the hour under way, late calls), which are counted from their calls instead.
/// </summary>
public sealed class PeriodSpendNow(CostQuery costs, CallRecordStore calls, ChangedHours changed)
{
    /// <summary>Reads the calls of the tenant's hours in [<paramref name="from"/>, <paramref name="to"/>) that changed since their rollup.</summary>
    public async Task<UnrolledHours> UnrolledAsync(string tenant, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var hours = new Dictionary<DateTimeOffset, IReadOnlyList<CallFact>>();
        foreach (var mark in await changed.ListAsync(cancellationToken))
        {
            if (mark.Tenant != tenant || mark.Hour < from || mark.Hour >= to || hours.ContainsKey(mark.Hour))
            {
                continue;
            }

            var facts = new List<CallFact>();
            await foreach (var call in calls.ReadHourAsync(tenant, mark.Hour, cancellationToken))
            {
                facts.Add(CallFact.Of(call));
            }

            hours[mark.Hour] = facts;
        }

        return new UnrolledHours(hours);
    }

    /// <summary>The spend of <paramref name="scope"/> in <paramref name="period"/> up to the end of the hour holding <paramref name="now"/>.</summary>
    public async Task<decimal> OfAsync(string tenant, BudgetScope scope, PeriodWindow period, DateTimeOffset now, UnrolledHours unrolled, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(period);
        ArgumentNullException.ThrowIfNull(unrolled);
        var end = TimeBuckets.HourStart(now).AddHours(1);
        end = end < period.End ? end : period.End;
        var spend = await costs.CostAsync(tenant, scope.Filters, period.Start, end, cancellationToken);
        foreach (var (hour, facts) in unrolled.Calls)
        {
            if (hour < period.Start || hour >= end)
            {
                continue;
            }

            spend -= await costs.CostAsync(tenant, scope.Filters, hour, hour.AddHours(1), cancellationToken);
            foreach (var call in facts)
            {
                if (scope.Counts(call))
                {
                    spend += call.CostUsd;
                }
            }
        }

        return spend;
    }
}
