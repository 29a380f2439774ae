using Microsoft.Extensions.DependencyInjection.Extensions;
using TokenTally.Application.Alerts;
using TokenTally.Application.Budgets.Status;
using TokenTally.Application.Forecasts;

namespace TokenTally.Application.Budgets;

public static class BudgetsSetup
{
    /// <summary>Budgets, their checks, the dispatch of their alerts, the status apps check before spending, and the channel directory they are checked against (the channels feature may register its own first).</summary>
    public static IServiceCollection AddBudgets(this IServiceCollection services)
    {
        services.AddSingleton<BudgetStore>();
        services.TryAddSingleton<IChannelDirectory, ConfigChannelDirectory>();
        services.AddSingleton<IChannelReferences, BudgetChannelReferences>();
        services.AddSingleton<IForecastTargets, BudgetForecastTargets>();
        services.AddSingleton<BudgetSpend>();
        services.AddSingleton<BudgetChecks>();
        services.AddSingleton<IAlertRenderer, BudgetAlertRenderer>();
        const string at = BudgetStatusOptions.Section;
        services.AddOptions<BudgetStatusOptions>().BindConfiguration(at)
            .Validate(o => o.MaxAgeSeconds is >= 1 and <= 300, $"{at}:MaxAgeSeconds must be 1-300.")
            .Validate(o => o.MaxEntries is >= 100 and <= 1_000_000, $"{at}:MaxEntries must be 100-1000000.")
            .ValidateOnStart();
        services.AddSingleton<PeriodSpendNow>();
        services.AddSingleton<BudgetStatusService>();
        return services;
    }
}
