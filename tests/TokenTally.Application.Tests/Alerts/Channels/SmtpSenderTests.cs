using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MimeKit;
using TokenTally.Application.Alerts.Channels;

namespace TokenTally.Application.Tests.Alerts.Channels;

/// <summary>Email over SMTP: a plain-text and an HTML alternative, to every recipient, with the HTML encoded.</summary>
public sealed class SmtpSenderTests
{
    private const string Password = "smtp-Pa55word!";

    [Fact]
    public async Task TheEmailHasAPlainTextAndAnHtmlPartAndReachesEveryRecipient()
    {
        await using var smtp = SmtpReceiver.Start();
        var notification = Notifications.BudgetCrossed();

        var attempt = await SendAsync(Channel(smtp.Port), notification);

        Assert.Equal(AttemptResult.Delivered, attempt.Result);
        var email = Assert.Single(smtp.Messages);
        Assert.Equal(["ops@acme.example", "finops@acme.example"], email.EnvelopeTo);
        Assert.Equal(("alerts@tokentally.example", Password), (email.User, email.Password));
        var message = email.Message;
        Assert.Equal("[WARNING] Budget 80 % reached: acme <prod> & \"friends\"", message.Subject);
        Assert.Equal(["ops@acme.example", "finops@acme.example"], message.To.Mailboxes.Select(m => m.Address));
        Assert.Equal("alerts@tokentally.example", message.From.Mailboxes.Single().Address);
        Assert.Equal($"{notification.IdempotencyId}@tokentally", message.MessageId);
        var alternative = Assert.IsType<MultipartAlternative>(message.Body);
        Assert.Equal(["text/plain", "text/html"], alternative.Select(part => part.ContentType.MimeType));
    }

    [Fact]
    public async Task ThePlainTextListsTheFactsAndTheHtmlEncodesEveryValue()
    {
        await using var smtp = SmtpReceiver.Start();

        await SendAsync(Channel(smtp.Port), Notifications.BudgetCrossed());

        var message = Assert.Single(smtp.Messages).Message;
        Assert.Contains("Spend: $412.10", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("Scope: tenant acme, project <chat>", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("https://tokentally.example/dashboard/costs?tenant=acme&period=2026-12", message.TextBody, StringComparison.Ordinal);
        var html = message.HtmlBody;
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("acme &lt;prod&gt; &amp; &quot;friends&quot;", html, StringComparison.Ordinal);
        Assert.Contains("project &lt;chat&gt;", html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://tokentally.example/dashboard/costs?tenant=acme&amp;period=2026-12\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<chat>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequiredStartTlsIsNeverSkippedWhenTheServerDoesNotOfferIt()
    {
        await using var smtp = SmtpReceiver.Start();

        var attempt = await SendAsync(Channel(smtp.Port) with { Tls = SmtpTls.StartTls }, Notifications.BudgetCrossed());

        Assert.Equal(AttemptResult.Permanent, attempt.Result);
        Assert.Empty(smtp.Messages);
        Assert.DoesNotContain(Password, attempt.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartTlsUpgradesTheSessionBeforeTheLoginAndAnUntrustedCertificateIsRefused()
    {
        using var certificate = SelfSignedCertificate();
        await using var smtp = SmtpReceiver.StartWithTls(certificate);
        var channel = Channel(smtp.Port) with { Tls = SmtpTls.StartTls };
        var trusted = new SmtpCertificateCheck((_, presented, _, _) => presented is not null && presented.GetCertHashString() == certificate.GetCertHashString());

        var untrusted = await SendAsync(channel, Notifications.BudgetCrossed());
        var delivered = await SendAsync(channel, Notifications.BudgetCrossed(), trusted);

        Assert.NotEqual(AttemptResult.Delivered, untrusted.Result);
        Assert.DoesNotContain(Password, untrusted.Error, StringComparison.Ordinal);
        Assert.Equal(AttemptResult.Delivered, delivered.Result);
        var email = Assert.Single(smtp.Messages);
        Assert.True(email.OverTls);
        Assert.Equal(("alerts@tokentally.example", Password), (email.User, email.Password));
    }

    [Fact]
    public async Task AMissingPasswordIsNamedNotGuessed()
    {
        await using var services = ChannelsUnderTest.Create(TimeProvider.System);

        var attempt = await services.Sender(ChannelKind.Smtp).SendAsync(Channel(1), ChannelSecrets.None, Notifications.BudgetCrossed(), TestContext.Current.CancellationToken);

        Assert.Equal(AttemptResult.Permanent, attempt.Result);
        Assert.Equal("The SMTP password secret 'mail-password' was not supplied.", attempt.Error);
    }

    private static SmtpChannel Channel(int port) => new(
        "mail", "127.0.0.1", port, SmtpTls.None, "alerts@tokentally.example", new SecretRef("mail-password"),
        "TokenTally <alerts@tokentally.example>", ["ops@acme.example", "finops@acme.example"]);

    /// <summary>A certificate for localhost, valid for an hour, made for this test alone.</summary>
    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    private static async Task<DeliveryAttempt> SendAsync(SmtpChannel channel, Core.Alerts.AlertNotification notification, SmtpCertificateCheck? certificates = null)
    {
        await using var services = ChannelsUnderTest.Create(TimeProvider.System, smtpCertificates: certificates);
        return await services.Sender(ChannelKind.Smtp).SendAsync(channel, ChannelSecrets.None.With(channel.Password!, Password), notification, TestContext.Current.CancellationToken);
    }
}
