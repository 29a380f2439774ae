using Microsoft.Extensions.Options;
using TokenTally.Functions.Hosting;

namespace TokenTally.Functions.Local;

public static class LocalSetup
{
    /// <summary>In local mode: the bootstrap admin key, the in-process timer scheduler and queue-trigger stand-in.</summary>
    public static IServiceCollection AddLocalMode(this IServiceCollection services)
    {
        services.AddHostedService(sp => When(sp, local => true, ActivatorUtilities.CreateInstance<AdminKeyBootstrap>(sp)));
        services.AddHostedService(sp => When(sp, local => local.RunScheduler, ActivatorUtilities.CreateInstance<LocalTimerScheduler>(sp)));
        services.AddHostedService(sp => When(sp, local => true, ActivatorUtilities.CreateInstance<LocalQueueTriggers>(sp)));
        return services;
    }

    private static IHostedService When(IServiceProvider sp, Func<LocalOptions, bool> enabled, IHostedService service) =>
        sp.GetRequiredService<HostingEnvironment>().IsLocal && enabled(sp.GetRequiredService<IOptions<LocalOptions>>().Value)
            ? service
            : new Disabled();

    private sealed class Disabled : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
