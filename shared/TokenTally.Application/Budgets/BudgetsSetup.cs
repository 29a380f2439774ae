using Microsoft.Extensions.DependencyInjection.Extensions;
using TokenTally.Application.Alerts;

namespace TokenTally.Application.Budgets;

public static class BudgetsSetup
{
    /// <summary>Budgets, their checks and the dispatch of their alerts, and the channel directory they are checked against (the channels feature may register its own first).</summary>
    public static IServiceCollection AddBudgets(this IServiceCollection services)
    {
        services.AddSingleton<BudgetStore>();
        services.TryAddSingleton<IChannelDirectory, ConfigChannelDirectory>();
        services.AddSingleton<IChannelReferences, BudgetChannelReferences>();
        services.AddSingleton<BudgetSpend>();
        services.AddSingleton<BudgetChecks>();
        services.AddSingleton<BudgetAlertDispatch>();
        return services;
    }
}
