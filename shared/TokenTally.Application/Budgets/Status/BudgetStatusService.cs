using Microsoft.Extensions.Options;
using TokenTally.Core.Budgets;
using TokenTally.Core.Rollups;

namespace TokenTally.Application.Budgets.Status;

/// <summary>TokenTally:Budgets:Status — how fresh the budget status answers are.</summary>
public sealed class BudgetStatusOptions
{
    public const string Section = "TokenTally:Budgets:Status";

    /// <summary>How old an answer may be before a read refreshes it in the background (1-300 seconds; readers never wait for a refresh).</summary>
    public int MaxAgeSeconds { get; set; } = 10;

    /// <summary>How many tenant and scope answers are kept in memory (100-1,000,000); the least recently read go first.</summary>
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

/// <summary>
/// The cost circuit breaker's answers: for a scope an app is about to spend in (one value per dimension), the tenant's budgets
/// covering it in the period under way, their spend up to now, what is left and the projection. Answers come from a
/// refresh-ahead cache (<see cref="BudgetStatusOptions"/>), so a caller checking before every LLM request reads memory.
/// </summary>
public sealed partial class BudgetStatusService
{
    private readonly BudgetStore _budgets;
    private readonly PeriodSpendNow _spend;
    private readonly TimeProvider _time;
    private readonly RefreshAheadCache<ScopeStatus> _cache;

    public BudgetStatusService(BudgetStore budgets, PeriodSpendNow spend, TimeProvider time, IOptions<BudgetStatusOptions> options, ILogger<BudgetStatusService> logger)
    {
        _budgets = budgets;
        _spend = spend;
        _time = time;
        _cache = new RefreshAheadCache<ScopeStatus>(time, TimeSpan.FromSeconds(options.Value.MaxAgeSeconds), options.Value.MaxEntries, (key, e) => LogRefreshFailed(logger, key, e));
    }

    /// <summary>The status of <paramref name="scope"/> in <paramref name="tenant"/>, at most a few seconds old.</summary>
    public async Task<ScopeStatus> GetAsync(string tenant, IReadOnlyDictionary<Dimension, string> scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var key = tenant + string.Concat(scope.OrderBy(s => s.Key).Select(s => $"|{BudgetScope.NameOf(s.Key)}:{s.Value.Length}:{s.Value}"));
        return (await _cache.GetAsync(key, cancellationToken => ComputeAsync(tenant, scope, cancellationToken))).Value;
    }

    /// <summary>The status computed now from the stores, without the cache.</summary>
    public async Task<ScopeStatus> ComputeAsync(string tenant, IReadOnlyDictionary<Dimension, string> scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var now = _time.GetUtcNow();
        var applicable = new List<(BudgetDocument Document, Budget Budget, PeriodWindow Period)>();
        foreach (var stored in await _budgets.ListAsync(tenant, cancellationToken))
        {
            var budget = stored.Budget.ToBudget();
            if (budget.Scope.Covers(scope) && budget.Period.Containing(now) is { } period)
            {
                applicable.Add((stored.Budget, budget, period));
            }
        }

        if (applicable.Count == 0)
        {
            return new ScopeStatus(tenant, scope, [], now);
        }

        var unrolled = await _spend.UnrolledAsync(tenant, applicable.Min(a => a.Period.Start), TimeBuckets.HourStart(now).AddHours(1), cancellationToken);
        var budgets = new List<ApplicableBudget>(applicable.Count);
        foreach (var (document, budget, period) in applicable)
        {
            var spent = await _spend.OfAsync(tenant, budget.Scope, period, now, unrolled, cancellationToken);
            budgets.Add(new ApplicableBudget(document, BudgetStanding.Of(budget, period, spent, SpendProjection.RunRate(spent, period, now))));
        }

        return new ScopeStatus(tenant, scope, budgets, now);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing the budget status {Key} failed; the previous answer is served meanwhile")]
    private static partial void LogRefreshFailed(ILogger logger, string key, Exception exception);
}
