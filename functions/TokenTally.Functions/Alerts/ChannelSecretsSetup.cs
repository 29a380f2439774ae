using Azure.Core;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TokenTally.Application.Alerts;

namespace TokenTally.Functions.Alerts;

public static class ChannelSecretsSetup
{
    /// <summary>
    /// The channels' secrets in Key Vault when TokenTally:Alerts:Secrets:KeyVaultUri names one (through the app's
    /// <see cref="TokenCredential"/>); otherwise they stay where the application keeps them, in the config table.
    /// </summary>
    public static IServiceCollection AddChannelSecretsInKeyVault(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ChannelSecretsOptions>().BindConfiguration(ChannelSecretsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ChannelSecretsOptions>, ChannelSecretsOptionsValidator>();
        if (string.IsNullOrWhiteSpace(configuration[$"{ChannelSecretsOptions.Section}:{nameof(ChannelSecretsOptions.KeyVaultUri)}"]))
        {
            return services;
        }

        services.TryAddSingleton(sp => new SecretClient(
            new Uri(sp.GetRequiredService<IOptions<ChannelSecretsOptions>>().Value.KeyVaultUri!), sp.GetRequiredService<TokenCredential>()));
        services.Replace(ServiceDescriptor.Singleton<IChannelSecretStore, KeyVaultChannelSecretStore>());
        return services;
    }
}
