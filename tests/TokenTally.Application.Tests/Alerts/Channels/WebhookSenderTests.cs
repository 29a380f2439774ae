using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;
using TokenTally.Application.Alerts.Channels;

namespace TokenTally.Application.Tests.Alerts.Channels;

/// <summary>The generic webhook is signed per the Standard Webhooks specification, so a receiver can verify and dedupe it.</summary>
public sealed class WebhookSenderTests
{
    private static readonly string Secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static readonly WebhookChannel Channel = new("hook", new Uri("http://127.0.0.1:1/"), new SecretRef("hook-signing"));

    [Fact]
    public async Task TheSignatureVerifiesWithTheStandardWebhooksPackage()
    {
        var request = await SendAsync();

        new StandardWebhook(Secret).Verify(request.BodyText, request.Headers);
    }

    [Fact]
    public async Task TheSignatureIsTheSpecificationsHmacOverIdTimestampAndBody()
    {
        var request = await SendAsync();

        var id = request.Headers["webhook-id"].ToString();
        var timestamp = request.Headers["webhook-timestamp"].ToString();
        Assert.Contains(IndependentSignature(id, timestamp, request.Body), request.Headers["webhook-signature"].ToString().Split(' '));
    }

    [Fact]
    public async Task ATamperedBodyFailsVerification()
    {
        var request = await SendAsync();
        var tampered = request.BodyText.Replace("$412.10", "$1.00", StringComparison.Ordinal);
        Assert.NotEqual(request.BodyText, tampered);

        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook(Secret).Verify(tampered, request.Headers));
        var signature = IndependentSignature(request.Headers["webhook-id"].ToString(), request.Headers["webhook-timestamp"].ToString(), Encoding.UTF8.GetBytes(tampered));
        Assert.DoesNotContain(signature, request.Headers["webhook-signature"].ToString().Split(' '));
    }

    [Fact]
    public async Task TheWebhookIdIsTheNotificationsIdempotencyIdAndTheBodyCarriesTheAlert()
    {
        var notification = Notifications.BudgetCrossed();
        var request = await SendAsync();

        Assert.Equal(notification.IdempotencyId, request.Headers["webhook-id"].ToString());
        var body = JsonNode.Parse(request.Body)!;
        Assert.Equal("alert.notification", (string?)body["type"]);
        Assert.Equal(notification.IdempotencyId, (string?)body["data"]!["id"]);
        Assert.Equal("warning", (string?)body["data"]!["severity"]);
        Assert.Equal(notification.Title, (string?)body["data"]!["title"]);
        Assert.Equal(notification.DashboardLink.AbsoluteUri, (string?)body["data"]!["link"]);
        Assert.Equal(notification.Facts.Count, body["data"]!["facts"]!.AsArray().Count);
    }

    [Fact]
    public async Task ARetryKeepsTheWebhookIdSoTheReceiverCanDedupe()
    {
        await using var receiver = await HttpReceiver.StartAsync((n, _) => new ReceiverAnswer(n == 1 ? 503 : 204));
        var clock = new SkippingClock(TimeProvider.System.GetUtcNow());
        await using var services = ChannelsUnderTest.Create(clock);

        var records = await services.Delivery().DeliverAsync([Channel with { Url = receiver.Url("/alerts") }], Secrets(), Notifications.BudgetCrossed(), TestContext.Current.CancellationToken);

        var record = Assert.Single(records);
        Assert.Equal(DeliveryOutcome.Delivered, record.Outcome);
        Assert.Equal(2, record.Attempts);
        var requests = receiver.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Equal(requests[0].Headers["webhook-id"], requests[1].Headers["webhook-id"]);
        Assert.All(requests, r => new StandardWebhook(Secret).Verify(r.BodyText, r.Headers));
    }

    [Theory]
    [InlineData("not-a-whsec-secret")]
    [InlineData("whsec_c2hvcnQ=")]
    public async Task ASecretNotInTheWhsecFormatIsAPermanentFailureThatDoesNotQuoteIt(string secret)
    {
        await using var services = ChannelsUnderTest.Create(TimeProvider.System);

        var attempt = await services.Sender(ChannelKind.Webhook).SendAsync(Channel, ChannelSecrets.None.With(Channel.SigningSecret, secret), Notifications.BudgetCrossed(), TestContext.Current.CancellationToken);

        Assert.Equal(AttemptResult.Permanent, attempt.Result);
        Assert.Contains("'hook-signing'", attempt.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, attempt.Error, StringComparison.Ordinal);
    }

    private static ChannelSecrets Secrets() => ChannelSecrets.None.With(Channel.SigningSecret, Secret);

    /// <summary>The specification's algorithm, written out: HMAC-SHA256 keyed with the secret's base64 after whsec_.</summary>
    private static string IndependentSignature(string id, string timestamp, byte[] body)
    {
        var key = Convert.FromBase64String(Secret["whsec_".Length..]);
        var signed = Encoding.UTF8.GetBytes($"{id}.{timestamp}.").Concat(body).ToArray();
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }

    private static async Task<ReceivedRequest> SendAsync()
    {
        await using var receiver = await HttpReceiver.StartAsync((_, _) => new ReceiverAnswer(200));
        // Verification checks the timestamp against the real clock, so the sender's clock starts now.
        var clock = new SkippingClock(TimeProvider.System.GetUtcNow());
        await using var services = ChannelsUnderTest.Create(clock);

        var attempt = await services.Sender(ChannelKind.Webhook).SendAsync(Channel with { Url = receiver.Url("/alerts") }, Secrets(), Notifications.BudgetCrossed(), TestContext.Current.CancellationToken);

        Assert.Equal(AttemptResult.Delivered, attempt.Result);
        var request = Assert.Single(receiver.Requests);
        Assert.Equal(clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), request.Headers["webhook-timestamp"].ToString());
        return request;
    }
}
