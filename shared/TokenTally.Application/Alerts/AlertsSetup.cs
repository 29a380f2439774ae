namespace TokenTally.Application.Alerts;

public static class AlertsSetup
{
    /// <summary>The alert lifecycle: its store (state and outbox) and the dispatch of the outbox through the features' renderers.</summary>
    public static IServiceCollection AddAlerts(this IServiceCollection services)
    {
        services.AddSingleton<AlertStore>();
        services.AddSingleton<AlertDispatch>();
        return services;
    }
}
