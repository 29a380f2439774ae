namespace TokenTally.Functions.Local;

public static class LocalSetup
{
    /// <summary>Local mode's stand-ins for the host: the bootstrap admin key, the timer scheduler, the queue triggers. Each is idle in functions mode.</summary>
    public static IServiceCollection AddLocalMode(this IServiceCollection services)
    {
        services.AddHostedService<AdminKeyBootstrap>();
        services.AddHostedService<LocalTimerScheduler>();
        services.AddHostedService<LocalQueueTriggers>();
        return services;
    }
}
