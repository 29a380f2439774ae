namespace TokenTally.Application.Alerts;

public static class AlertsSetup
{
    /// <summary>The alert lifecycle: its store (state and outbox) and the policy its evaluations use.</summary>
    public static IServiceCollection AddAlerts(this IServiceCollection services)
    {
        services.AddSingleton<AlertStore>();
        return services;
    }
}
