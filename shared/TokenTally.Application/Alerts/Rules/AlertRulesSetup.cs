namespace TokenTally.Application.Alerts.Rules;

public static class AlertRulesSetup
{
    /// <summary>Threshold rules on rollup metrics: their store, their checks in the hour run and the rendering of their alerts.</summary>
    public static IServiceCollection AddAlertRules(this IServiceCollection services)
    {
        services.AddSingleton<AlertRuleStore>();
        services.AddSingleton<IChannelReferences, AlertRuleChannelReferences>();
        services.AddSingleton<AlertRuleChecks>();
        services.AddSingleton<IAlertRenderer, AlertRuleRenderer>();
        return services;
    }
}
