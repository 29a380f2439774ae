using Microsoft.Extensions.DependencyInjection.Extensions;

namespace TokenTally.Application.Alerts.Channels;

public static class AlertChannelsSetup
{
    /// <summary>
    /// The alert channels' senders (Teams Workflows, SMTP, ACS Email, Standard Webhooks) and <see cref="ChannelDelivery"/>.
    /// ACS channels that use Entra ID take the host's <c>TokenCredential</c> when it registers one.
    /// </summary>
    public static IServiceCollection AddAlertChannels(this IServiceCollection services)
    {
        const string at = AlertChannelOptions.Section;
        services.AddOptions<AlertChannelOptions>().BindConfiguration(at)
            .Validate(o => o.MaxAttempts is >= 1 and <= 10, $"{at}:MaxAttempts must be 1-10.")
            .Validate(o => o.FirstRetryDelay > TimeSpan.Zero && o.FirstRetryDelay <= o.MaxRetryDelay, $"{at}:FirstRetryDelay must be more than 0 and at most {at}:MaxRetryDelay.")
            .Validate(o => o.MaxRetryDelay <= TimeSpan.FromMinutes(10), $"{at}:MaxRetryDelay must be at most 00:10:00.")
            .Validate(o => o.AttemptTimeout >= TimeSpan.FromSeconds(1) && o.AttemptTimeout <= TimeSpan.FromMinutes(5), $"{at}:AttemptTimeout must be 00:00:01-00:05:00.")
            .Validate(o => o.DashboardUrl is { IsAbsoluteUri: true }, $"{at}:DashboardUrl must be an absolute URL.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.AcsApiVersion), $"{at}:AcsApiVersion must not be empty.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);

        // No redirects (a signed request must reach the configured host only); attempts are timed by ChannelDelivery.
        // No HttpClientFactory request logging either: it logs the URL's path, and a Teams Workflows URL is a secret.
        services.AddHttpClient(HttpAttempts.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .RemoveAllLoggers();
        services.AddSingleton<IAlertChannelSender, TeamsWorkflowSender>();
        services.TryAddSingleton(new SmtpCertificateCheck(null));
        services.AddSingleton<IAlertChannelSender, SmtpSender>();
        services.AddSingleton<IAlertChannelSender, AcsEmailSender>();
        services.AddSingleton<IAlertChannelSender, WebhookSender>();
        services.AddSingleton<ChannelDelivery>();
        return services;
    }
}
