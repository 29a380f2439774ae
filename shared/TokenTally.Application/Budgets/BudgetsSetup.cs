using Microsoft.Extensions.DependencyInjection.Extensions;
using TokenTally.Application.Alerts;

namespace TokenTally.Application.Budgets;

public static class BudgetsSetup
{
    /// <summary>Budgets, and the channel directory they are checked against (the channels feature may register its own first).</summary>
    public static IServiceCollection AddBudgets(this IServiceCollection services)
    {
        services.AddSingleton<BudgetStore>();
        services.TryAddSingleton<IChannelDirectory, ConfigChannelDirectory>();
        services.AddSingleton<IChannelReferences, BudgetChannelReferences>();
        return services;
    }
}
