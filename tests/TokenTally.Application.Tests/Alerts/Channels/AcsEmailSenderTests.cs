using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Core;
using Microsoft.Extensions.Time.Testing;
using TokenTally.Application.Alerts.Channels;

namespace TokenTally.Application.Tests.Alerts.Channels;

/// <summary>Azure Communication Services Email over REST, signed with the access key or carrying an Entra ID token.</summary>
public sealed class AcsEmailSenderTests
{
    private static readonly string AccessKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));

    private static readonly ReceiverAnswer Accepted = new(
        202,
        """{"id":"op-8c1d","status":"Running"}""",
        new Dictionary<string, string> { ["Operation-Location"] = "https://acme.communication.azure.com/emails/operations/op-8c1d?api-version=2025-09-01", ["Retry-After"] = "30" });

    [Fact]
    public async Task TheAccessKeySignatureIsTheOneTheServiceRecomputes()
    {
        await using var acs = await HttpReceiver.StartAsync((_, _) => Accepted);
        var clock = new FakeTimeProvider(Notifications.At);
        await using var services = ChannelsUnderTest.Create(clock);

        var attempt = await SendAsync(services, Channel(acs));

        Assert.Equal(AttemptResult.Delivered, attempt.Result);
        var request = Assert.Single(acs.Requests);
        Assert.Equal("/emails:send?api-version=2025-09-01", request.PathAndQuery);
        var date = request.Headers["x-ms-date"].ToString();
        Assert.Equal("Thu, 03 Dec 2026 13:00:00 GMT", date);
        Assert.Equal(Notifications.At, DateTimeOffset.Parse(date, CultureInfo.InvariantCulture));
        var hash = Convert.ToBase64String(SHA256.HashData(request.Body));
        Assert.Equal(hash, request.Headers["x-ms-content-sha256"].ToString());
        var host = request.Headers.Host.ToString();
        Assert.Equal($"127.0.0.1:{acs.Port}", host);
        var stringToSign = "POST" + "\n" + request.PathAndQuery + "\n" + date + ";" + host + ";" + hash;
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(AccessKey), Encoding.UTF8.GetBytes(stringToSign)));
        Assert.Equal($"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={signature}", request.Headers.Authorization.ToString());
    }

    [Fact]
    public async Task TheBodyIsAnEmailMessageWithSenderRecipientsAndBothContents()
    {
        await using var acs = await HttpReceiver.StartAsync((_, _) => Accepted);
        await using var services = ChannelsUnderTest.Create(new FakeTimeProvider(Notifications.At));
        var notification = Notifications.BudgetCrossed();

        await SendAsync(services, Channel(acs));

        var body = JsonNode.Parse(Assert.Single(acs.Requests).Body)!;
        Assert.Equal("DoNotReply@alerts.acme.example", (string?)body["senderAddress"]);
        Assert.Equal(["ops@acme.example", "finops@acme.example"], body["recipients"]!["to"]!.AsArray().Select(r => (string)r!["address"]!));
        Assert.Equal("[WARNING] " + notification.Title, (string?)body["content"]!["subject"]);
        Assert.Contains("Spend: $412.10", (string?)body["content"]!["plainText"], StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", (string?)body["content"]!["html"], StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", (string?)body["content"]!["html"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcceptedMeansDeliveredWithTheOperationIdAsReceiptAndTheOperationIdIsStablePerNotification()
    {
        await using var acs = await HttpReceiver.StartAsync((_, _) => Accepted);
        await using var services = ChannelsUnderTest.Create(new FakeTimeProvider(Notifications.At));

        var first = await SendAsync(services, Channel(acs));
        var second = await SendAsync(services, Channel(acs));

        Assert.Equal("op-8c1d", first.Receipt);
        var operationIds = acs.Requests.Select(r => r.Headers["Operation-Id"].ToString()).ToArray();
        Assert.True(Guid.TryParse(operationIds[0], out _));
        Assert.Equal(operationIds[0], operationIds[1]);
        Assert.Equal(AttemptResult.Delivered, second.Result);
    }

    [Fact]
    public async Task WithoutABodyTheReceiptComesFromOperationLocation()
    {
        await using var acs = await HttpReceiver.StartAsync((_, _) => Accepted with { Body = null });
        await using var services = ChannelsUnderTest.Create(new FakeTimeProvider(Notifications.At));

        var attempt = await SendAsync(services, Channel(acs));

        Assert.Equal("op-8c1d", attempt.Receipt);
    }

    [Fact]
    public async Task EntraIdSendsABearerTokenForTheCommunicationServicesScope()
    {
        await using var acs = await HttpReceiver.StartAsync((_, _) => Accepted);
        var scopes = new List<string>();
        // The token is an input like the access key: Entra ID itself is outside this test.
        var credential = DelegatedTokenCredential.Create((context, _) =>
        {
            scopes.AddRange(context.Scopes);
            return new AccessToken("entra-token-value", Notifications.At.AddHours(1));
        });
        await using var services = ChannelsUnderTest.Create(new FakeTimeProvider(Notifications.At), credential: credential);

        var attempt = await SendAsync(services, Channel(acs) with { Authentication = AcsAuthentication.EntraId, AccessKey = null });

        Assert.Equal(AttemptResult.Delivered, attempt.Result);
        Assert.Equal(["https://communication.azure.com//.default"], scopes);
        var request = Assert.Single(acs.Requests);
        Assert.Equal("Bearer entra-token-value", request.Headers.Authorization.ToString());
        Assert.False(request.Headers.ContainsKey("x-ms-content-sha256"));
    }

    [Fact]
    public async Task EntraIdWithoutACredentialIsAPermanentFailure()
    {
        await using var services = ChannelsUnderTest.Create(new FakeTimeProvider(Notifications.At));

        var attempt = await services.Sender(ChannelKind.AcsEmail).SendAsync(
            new AcsEmailChannel("acs", new Uri("http://127.0.0.1:1/"), AcsAuthentication.EntraId, null, "a@b.example", ["c@d.example"]),
            ChannelSecrets.None, Notifications.BudgetCrossed(), TestContext.Current.CancellationToken);

        Assert.Equal(AttemptResult.Permanent, attempt.Result);
    }

    [Fact]
    public async Task TooManyRequestsWaitsAsLongAsRetryAfterSays()
    {
        await using var acs = await HttpReceiver.StartAsync((n, _) => n == 1
            ? new ReceiverAnswer(429, Headers: new Dictionary<string, string> { ["Retry-After"] = "7", ["x-ms-error-code"] = "TooManyRequests" })
            : Accepted);
        var clock = new SkippingClock(Notifications.At);
        await using var services = ChannelsUnderTest.Create(clock);

        var record = Assert.Single(await services.Delivery().DeliverAsync([Channel(acs)], Secrets(), Notifications.BudgetCrossed(), TestContext.Current.CancellationToken));

        Assert.Equal(DeliveryOutcome.Delivered, record.Outcome);
        Assert.Equal(2, record.Attempts);
        Assert.Equal([TimeSpan.FromSeconds(7)], clock.Waits);
        Assert.Equal(TimeSpan.FromSeconds(7), record.CompletedAt - record.FirstAttemptAt);
    }

    private static AcsEmailChannel Channel(HttpReceiver acs) => new(
        "acs", acs.Url("/"), AcsAuthentication.AccessKey, new SecretRef("acs-key"), "DoNotReply@alerts.acme.example", ["ops@acme.example", "finops@acme.example"]);

    private static ChannelSecrets Secrets() => ChannelSecrets.None.With(new SecretRef("acs-key"), AccessKey);

    private static Task<DeliveryAttempt> SendAsync(IServiceProvider services, AcsEmailChannel channel)
        => services.Sender(ChannelKind.AcsEmail).SendAsync(channel, Secrets(), Notifications.BudgetCrossed(), TestContext.Current.CancellationToken);
}
