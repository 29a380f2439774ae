using TokenTally.Core.Budgets;

namespace TokenTally.Application.Forecasts;

/// <summary>A series to forecast besides the tenant's total: its name, the calls it counts (and their names), and the period it is projected to.</summary>
public sealed record ForecastTarget(string Series, BudgetScope Scope, IReadOnlyDictionary<string, IReadOnlyList<string>> ScopeNames, PeriodWindow Period, TimeZoneInfo Zone);

/// <summary>Where a feature that wants scopes of its own forecast (budgets) names them, for a tenant as of an hour.</summary>
public interface IForecastTargets
{
    /// <summary>The series of <paramref name="tenant"/> to forecast as of <paramref name="hour"/>.</summary>
    Task<IReadOnlyList<ForecastTarget>> OfAsync(string tenant, DateTimeOffset hour, CancellationToken cancellationToken);
}
