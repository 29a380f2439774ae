using Microsoft.Extensions.Options;
using TokenTally.Application.Forecasts;
using TokenTally.Core.Budgets;
using TokenTally.Core.Forecasting;
using TokenTally.Core.Rollups;

namespace TokenTally.Application.Budgets.Status;

/// <summary>TokenTally:Budgets:Status — how fresh the budget status answers are.</summary>
public sealed class BudgetStatusOptions
{
    public const string Section = "TokenTally:Budgets:Status";

    /// <summary>How old an answer may be before a read refreshes it in the background (1-300 seconds; readers never wait for a refresh).</summary>
    public int MaxAgeSeconds { get; set; } = 10;

    /// <summary>How many tenants' budget spends are kept in memory (100-1,000,000); the least recently read go first.</summary>
    public int MaxEntries { get; set; } = 10_000;
}

/// <summary>One budget that applies to a scope, and where it stands.</summary>
public sealed record ApplicableBudget(BudgetDocument Budget, BudgetStanding Standing);

/// <summary>The budgets that apply to a scope now, and where each stands; computed at <see cref="ComputedAt"/>.</summary>
public sealed record ScopeStatus(string Tenant, IReadOnlyDictionary<Dimension, string> Scope, IReadOnlyList<ApplicableBudget> Budgets, DateTimeOffset ComputedAt)
{
    /// <summary>Whether no applicable budget is exceeded.</summary>
    public bool WithinBudget => Budgets.All(b => b.Standing.State != BudgetState.Exceeded);
}

/// <summary>Every budget of a tenant with a period under way, its spend so far and its stored forecast, if any, as of <see cref="ComputedAt"/>.</summary>
public sealed record TenantBudgetSpend(IReadOnlyList<(BudgetDocument Document, Budget Budget, PeriodWindow Period, decimal SpentUsd, ForecastDocument? Forecast)> Budgets, DateTimeOffset ComputedAt);

/// <summary>
/// The cost circuit breaker's answers: for a scope an app is about to spend in (one value per dimension), the tenant's budgets
/// covering it in the period under way, their spend up to now, what is left and the projection. The spend of every budget
/// of a tenant is computed together and kept in a refresh-ahead cache (<see cref="BudgetStatusOptions"/>), so an answer
/// for any scope is a filter over memory, and a caller checking before every LLM request never waits for the stores.
/// The projection is the hour run's stored forecast of the budget's period (method <c>forecast</c>, with its 80 %
/// interval, brought up to the spend since: <see cref="ForecastedSpend"/>) when one was made at most
/// <see cref="FreshForecastHours"/> hours before now, and the run rate otherwise.
/// </summary>
public sealed partial class BudgetStatusService
{
    /// <summary>How many hours after its origin a stored forecast still projects the period (the hour runs replace it hourly).</summary>
    public const int FreshForecastHours = 3;

    private readonly BudgetStore _budgets;
    private readonly ForecastStore _forecasts;
    private readonly PeriodSpendNow _spend;
    private readonly TimeProvider _time;
    private readonly RefreshAheadCache<TenantBudgetSpend> _cache;

    public BudgetStatusService(BudgetStore budgets, ForecastStore forecasts, PeriodSpendNow spend, TimeProvider time, IOptions<BudgetStatusOptions> options, ILogger<BudgetStatusService> logger)
    {
        _budgets = budgets;
        _forecasts = forecasts;
        _spend = spend;
        _time = time;
        _cache = new RefreshAheadCache<TenantBudgetSpend>(time, TimeSpan.FromSeconds(options.Value.MaxAgeSeconds), options.Value.MaxEntries, (tenant, e) => LogRefreshFailed(logger, tenant, e));
    }

    /// <summary>The status of <paramref name="scope"/> in <paramref name="tenant"/>, at most a few seconds old.</summary>
    public async Task<ScopeStatus> GetAsync(string tenant, IReadOnlyDictionary<Dimension, string> scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var (spend, computedAt) = await _cache.GetAsync(tenant, cancellationToken => ComputeAsync(tenant, cancellationToken));
        var budgets = spend.Budgets.Where(b => b.Budget.Scope.Covers(scope))
            .Select(b => new ApplicableBudget(b.Document, BudgetStanding.Of(b.Budget, b.Period, b.SpentUsd, Projection(b.Period, b.SpentUsd, b.Forecast, computedAt))))
            .ToList();
        return new ScopeStatus(tenant, scope, budgets, computedAt);
    }

    /// <summary>The stored forecast of the period brought up to now when it is fresh; the run rate otherwise.</summary>
    private static SpendProjection Projection(PeriodWindow period, decimal spentUsd, ForecastDocument? forecast, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(period);
        return forecast is not null && forecast.Period.Projects(period) && now >= forecast.Origin && now - forecast.Origin < TimeSpan.FromHours(FreshForecastHours)
            ? ForecastedSpend.Project(spentUsd, forecast.Period.ObservedUsd, forecast.Period.Total, forecast.ExpectedHourly, forecast.Origin, now)
            : SpendProjection.RunRate(spentUsd, period, now);
    }

    /// <summary>The spend of every budget of the tenant with a period under way, computed now from the stores.</summary>
    private async Task<TenantBudgetSpend> ComputeAsync(string tenant, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var current = new List<(BudgetDocument Document, Budget Budget, PeriodWindow Period)>();
        foreach (var stored in await _budgets.ListAsync(tenant, cancellationToken))
        {
            var budget = stored.Budget.ToBudget();
            if (budget.Period.Containing(now) is { } period)
            {
                current.Add((stored.Budget, budget, period));
            }
        }

        if (current.Count == 0)
        {
            return new TenantBudgetSpend([], now);
        }

        var unrolled = await _spend.UnrolledAsync(tenant, current.Min(a => a.Period.Start), TimeBuckets.HourStart(now).AddHours(1), cancellationToken);
        var forecasts = (await _forecasts.ListAsync(tenant, cancellationToken)).ToDictionary(f => f.Forecast.Series, f => f.Forecast, StringComparer.Ordinal);
        var budgets = new List<(BudgetDocument, Budget, PeriodWindow, decimal, ForecastDocument?)>(current.Count);
        foreach (var (document, budget, period) in current)
        {
            budgets.Add((document, budget, period, await _spend.OfAsync(tenant, budget.Scope, period, now, unrolled, cancellationToken), forecasts.GetValueOrDefault(ForecastStore.BudgetSeries(document.Id))));
        }

        return new TenantBudgetSpend(budgets, now);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing the budget spend of tenant {Tenant} failed; the previous answer is served meanwhile")]
    private static partial void LogRefreshFailed(ILogger logger, string tenant, Exception exception);
}
