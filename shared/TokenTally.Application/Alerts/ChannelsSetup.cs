using Microsoft.Extensions.DependencyInjection.Extensions;
using TokenTally.Application.Alerts.Channels;

namespace TokenTally.Application.Alerts;

public static class ChannelsSetup
{
    /// <summary>
    /// A tenant's channels as a resource: their store, the directory budgets check channel ids against, the secret store
    /// (the config container, a partition per tenant apart from the channels), and the senders that deliver.
    /// </summary>
    public static IServiceCollection AddChannels(this IServiceCollection services)
    {
        services.AddSingleton<ChannelStore>();
        services.TryAddSingleton<IChannelDirectory, ConfigChannelDirectory>();
        services.TryAddSingleton<IChannelSecretStore, ConfigChannelSecretStore>();
        services.AddAlertChannels();
        return services;
    }
}
