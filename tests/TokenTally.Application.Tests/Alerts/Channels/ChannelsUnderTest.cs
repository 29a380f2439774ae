using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using TokenTally.Application.Alerts.Channels;
using TokenTally.Core.Alerts;

namespace TokenTally.Application.Tests.Alerts.Channels;

/// <summary>The alert channels as the hosts compose them (<see cref="AlertChannelsSetup.AddAlertChannels"/>), on a given clock.</summary>
internal static class ChannelsUnderTest
{
    public static ServiceProvider Create(TimeProvider time, Dictionary<string, string?>? settings = null, TokenCredential? credential = null, RecordedLogs? logs = null, SmtpCertificateCheck? smtpCertificates = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton(time)
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs ?? new RecordedLogs()));
        if (credential is not null)
        {
            services.AddSingleton(credential);
        }

        if (smtpCertificates is not null)
        {
            services.AddSingleton(smtpCertificates);
        }

        return services.AddAlertChannels().BuildServiceProvider(validateScopes: true);
    }

    public static IAlertChannelSender Sender(this IServiceProvider services, ChannelKind kind)
        => services.GetServices<IAlertChannelSender>().Single(s => s.Kind == kind);

    public static ChannelDelivery Delivery(this IServiceProvider services) => services.GetRequiredService<ChannelDelivery>();
}

/// <summary>Test data: an alert whose every value carries markup, so encoding mistakes show.</summary>
internal static class Notifications
{
    public static readonly DateTimeOffset At = new(2026, 12, 3, 13, 0, 0, TimeSpan.Zero);

    public static AlertNotification BudgetCrossed(DateTimeOffset? at = null) => new(
        AlertNotification.IdempotencyIdFor("budget:monthly-ai/2026-12/80", "firing"),
        "Budget 80 % reached: acme <prod> & \"friends\"",
        AlertSeverity.Warning,
        "Spend reached 80 % of the monthly budget <script>alert(1)</script>.",
        [
            new("Scope", "tenant acme, project <chat>"),
            new("Spend", "$412.10"),
            new("Threshold", "80 % of $500.00"),
            new("Period", "December 2026 (Europe/Berlin)"),
            new("Projection", "$638.00 by period end"),
        ],
        new Uri("https://tokentally.example/dashboard/costs?tenant=acme&period=2026-12"),
        at ?? At);
}
