using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using TokenTally.Application.Alerts.Channels;

namespace TokenTally.Application.Tests.Alerts.Channels;

/// <summary>One notification goes to every channel on its own: failures retry with backoff, end as records, and block nothing.</summary>
public sealed class ChannelDeliveryTests
{
    private const string TeamsPath = "/workflows/9b1e/triggers/manual/paths/invoke?api-version=2016-06-01&sig=teams-sig-Zq81x";
    private const string SmtpPassword = "smtp-Pa55word!";
    private static readonly string AcsKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));
    private static readonly string SigningSecret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public async Task ADownChannelIsRetriedWithBackoffRecordedAsFailedAndTheOthersStillDeliver()
    {
        await using var teams = await HttpReceiver.StartAsync();
        await using var hook = await HttpReceiver.StartAsync((_, _) => new ReceiverAnswer(200));
        await using var acs = await HttpReceiver.StartAsync();
        await using var smtp = SmtpReceiver.Start();
        await using var down = await HttpReceiver.StartAsync((_, _) => new ReceiverAnswer(500));
        var clock = new SkippingClock(TimeProvider.System.GetUtcNow());
        // The first answer is a 500; from the first retry on, nothing listens: connections are refused.
        clock.BeforeWait = _ => down.StopAsync();
        await using var services = ChannelsUnderTest.Create(clock);
        var world = new World(teams, hook, acs, smtp.Port);

        var records = await services.Delivery().DeliverAsync(
            [.. world.Channels, new TeamsWorkflowChannel("teams-down", new SecretRef("teams-down-url"))],
            world.Secrets.With(new SecretRef("teams-down-url"), down.Url(TeamsPath).AbsoluteUri),
            Notifications.BudgetCrossed(),
            TestContext.Current.CancellationToken);

        var failed = Assert.Single(records, r => r.ChannelId == "teams-down");
        Assert.Equal(DeliveryOutcome.Failed, failed.Outcome);
        Assert.Equal(4, failed.Attempts);
        Assert.Equal("connection failed: connection refused (gave up after 4 attempts)", failed.LastError);
        Assert.Single(down.Requests);
        Assert.Equal([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8)], clock.Waits);
        Assert.Equal(TimeSpan.FromSeconds(14), failed.CompletedAt - failed.FirstAttemptAt);

        Assert.All(records.Where(r => r.ChannelId != "teams-down"), r =>
        {
            Assert.Equal(DeliveryOutcome.Delivered, r.Outcome);
            Assert.Equal(1, r.Attempts);
            Assert.Null(r.LastError);
        });
        Assert.Equal(["teams", "hook", "acs", "mail", "teams-down"], records.Select(r => r.ChannelId));
        Assert.Single(teams.Requests);
        Assert.Single(hook.Requests);
        Assert.Single(acs.Requests);
        Assert.Single(smtp.Messages);
    }

    [Fact]
    public async Task AnAttemptWithoutAnAnswerInTimeIsRetried()
    {
        await using var hook = await HttpReceiver.StartAsync((n, _) => new ReceiverAnswer(200, Delay: n == 1 ? TimeSpan.FromSeconds(30) : TimeSpan.Zero));
        var clock = new SkippingClock(TimeProvider.System.GetUtcNow());
        await using var services = ChannelsUnderTest.Create(clock, new() { ["TokenTally:Alerts:Channels:AttemptTimeout"] = "00:00:01" });
        var world = new World(null, hook, null, 25);

        var record = Assert.Single(await services.Delivery().DeliverAsync([world.Channels[1]], world.Secrets, Notifications.BudgetCrossed(), TestContext.Current.CancellationToken));

        Assert.Equal((DeliveryOutcome.Delivered, 2), (record.Outcome, record.Attempts));
        Assert.Equal([TimeSpan.FromSeconds(2)], clock.Waits);
        Assert.Equal(2, hook.Requests.Count);
    }

    [Fact]
    public async Task ARefusedSmtpConnectionIsTransient()
    {
        await using var services = ChannelsUnderTest.Create(TimeProvider.System);
        var world = new World(null, null, null, Testing.LoopbackPorts.Free());

        var attempt = await services.Sender(ChannelKind.Smtp).SendAsync(world.Channels[3], world.Secrets, Notifications.BudgetCrossed(), TestContext.Current.CancellationToken);

        Assert.Equal(DeliveryAttempt.Transient("connection failed: connection refused"), attempt);
    }

    [Fact]
    public async Task APermanentFailureIsNotRetried()
    {
        await using var teams = await HttpReceiver.StartAsync((_, _) => new ReceiverAnswer(404));
        var clock = new SkippingClock(Notifications.At);
        await using var services = ChannelsUnderTest.Create(clock);
        var channel = new TeamsWorkflowChannel("teams", new SecretRef("teams-url"));

        var record = Assert.Single(await services.Delivery().DeliverAsync(
            [channel], ChannelSecrets.None.With(channel.WebhookUrl, teams.Url(TeamsPath).AbsoluteUri), Notifications.BudgetCrossed(), TestContext.Current.CancellationToken));

        Assert.Equal((DeliveryOutcome.Failed, 1, "HTTP 404 (NotFound)"), (record.Outcome, record.Attempts, record.LastError));
        Assert.Empty(clock.Waits);
    }

    [Fact]
    public async Task NoSecretAppearsInAnyDeliveryRecordOrLogLine()
    {
        // Every channel fails: HTTP ones answer 401 once and then refuse connections, SMTP is refused outright.
        await using var teams = await HttpReceiver.StartAsync((_, _) => new ReceiverAnswer(503));
        await using var hook = await HttpReceiver.StartAsync((_, _) => new ReceiverAnswer(500));
        await using var acs = await HttpReceiver.StartAsync((_, _) => new ReceiverAnswer(401, """{"error":{"code":"Denied","message":"denied"}}"""));
        var clock = new SkippingClock(Notifications.At);
        clock.BeforeWait = async _ =>
        {
            await teams.StopAsync();
            await hook.StopAsync();
        };
        var logs = new RecordedLogs();
        await using var services = ChannelsUnderTest.Create(clock, logs: logs);
        var world = new World(teams, hook, acs, Testing.LoopbackPorts.Free());

        var records = await services.Delivery().DeliverAsync(world.Channels, world.Secrets, Notifications.BudgetCrossed(), TestContext.Current.CancellationToken);

        Assert.All(records, r => Assert.Equal(DeliveryOutcome.Failed, r.Outcome));
        Assert.NotEmpty(logs.Lines);
        var recorded = JsonSerializer.Serialize(records) + string.Join("\n", records) + string.Join("\n", logs.Lines);
        foreach (var secret in new[] { teams.Url(TeamsPath).AbsoluteUri, TeamsPath, "teams-sig-Zq81x", "9b1e", SmtpPassword, AcsKey, SigningSecret, SigningSecret["whsec_".Length..] })
        {
            Assert.DoesNotContain(secret, recorded, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void SecretsAreNeverSerializedAndChannelsCarryOnlyTheirNames()
    {
        var world = new World(null, null, null, 25);

        Assert.Throws<JsonException>(() => JsonSerializer.Serialize(world.Secrets));
        Assert.DoesNotContain(SmtpPassword, world.Secrets.ToString(), StringComparison.Ordinal);
        var channels = JsonSerializer.Serialize<IReadOnlyList<AlertChannel>>(world.Channels);
        Assert.Contains("\"kind\":\"teams-workflow\"", channels, StringComparison.Ordinal);
        Assert.Contains("\"Name\":\"mail-password\"", channels, StringComparison.Ordinal);
        foreach (var secret in new[] { "teams-sig-Zq81x", SmtpPassword, AcsKey, SigningSecret })
        {
            Assert.DoesNotContain(secret, channels, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AMissingSecretIsReportedByItsNameAndStopsOnlyItsChannel()
    {
        await using var hook = await HttpReceiver.StartAsync((_, _) => new ReceiverAnswer(200));
        await using var services = ChannelsUnderTest.Create(new SkippingClock(Notifications.At));
        var world = new World(null, hook, null, 25);

        var records = await services.Delivery().DeliverAsync(
            [new TeamsWorkflowChannel("teams", new SecretRef("nowhere")), world.Channels[1]], world.Secrets, Notifications.BudgetCrossed(), TestContext.Current.CancellationToken);

        Assert.Equal("The webhook URL secret 'nowhere' was not supplied.", records[0].LastError);
        Assert.Equal(DeliveryOutcome.Delivered, records[1].Outcome);
    }

    [Theory]
    [InlineData("MaxAttempts", "0", "TokenTally:Alerts:Channels:MaxAttempts must be 1-10.")]
    [InlineData("FirstRetryDelay", "00:05:00", "TokenTally:Alerts:Channels:FirstRetryDelay must be more than 0 and at most TokenTally:Alerts:Channels:MaxRetryDelay.")]
    [InlineData("AttemptTimeout", "00:00:00", "TokenTally:Alerts:Channels:AttemptTimeout must be 00:00:01-00:05:00.")]
    public void AnInvalidSettingIsNamedByItsFullPath(string setting, string value, string message)
    {
        using var services = ChannelsUnderTest.Create(TimeProvider.System, new() { [$"TokenTally:Alerts:Channels:{setting}"] = value });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<AlertChannelOptions>>().Value);

        Assert.Contains(message, error.Failures);
    }

    /// <summary>One channel of each kind, pointed at the given receivers, with their secrets.</summary>
    private sealed class World(HttpReceiver? teams, HttpReceiver? hook, HttpReceiver? acs, int smtpPort)
    {
        public IReadOnlyList<AlertChannel> Channels { get; } =
        [
            new TeamsWorkflowChannel("teams", new SecretRef("teams-url")),
            new WebhookChannel("hook", hook?.Url("/alerts") ?? new Uri("http://127.0.0.1:1/"), new SecretRef("hook-signing")),
            new AcsEmailChannel("acs", acs?.Url("/") ?? new Uri("http://127.0.0.1:1/"), AcsAuthentication.AccessKey, new SecretRef("acs-key"), "DoNotReply@alerts.acme.example", ["ops@acme.example"]),
            new SmtpChannel("mail", "127.0.0.1", smtpPort, SmtpTls.None, "alerts@tokentally.example", new SecretRef("mail-password"), "alerts@tokentally.example", ["ops@acme.example"]),
        ];

        public ChannelSecrets Secrets { get; } = ChannelSecrets.None
            .With(new SecretRef("teams-url"), teams?.Url(TeamsPath).AbsoluteUri ?? "https://prod-00.westeurope.logic.azure.com" + TeamsPath)
            .With(new SecretRef("hook-signing"), SigningSecret)
            .With(new SecretRef("acs-key"), AcsKey)
            .With(new SecretRef("mail-password"), SmtpPassword);
    }
}
