using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using TokenTally.Core.Alerts;

namespace TokenTally.Application.Alerts.Channels;

/// <summary>
/// Sends the alert through an SMTP relay with MailKit: multipart/alternative with a plain-text and an HTML part, the
/// Message-Id derived from the idempotency id, STARTTLS as the channel says.
/// </summary>
internal sealed class SmtpSender(SmtpCertificateCheck certificates) : IAlertChannelSender
{
    public ChannelKind Kind => ChannelKind.Smtp;

    public async Task<DeliveryAttempt> SendAsync(AlertChannel channel, ChannelSecrets secrets, AlertNotification notification, CancellationToken cancellationToken)
    {
        var smtp = (SmtpChannel)channel;
        var password = string.Empty;
        if (smtp.Username is not null && !secrets.TryReveal(smtp.Password, out password))
        {
            return DeliveryAttempt.Permanent($"The SMTP password secret '{smtp.Password?.Name}' was not supplied.");
        }

        using var message = Message(smtp, notification);
        using var client = new SmtpClient();
        if (certificates.Validate is { } validate)
        {
            client.ServerCertificateValidationCallback = validate;
        }

        try
        {
            await client.ConnectAsync(smtp.Host, smtp.Port, Security(smtp.Tls), cancellationToken);
            if (smtp.Username is not null)
            {
                await client.AuthenticateAsync(smtp.Username, password, cancellationToken);
            }

            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
            return DeliveryAttempt.Delivered(message.MessageId);
        }
        catch (SmtpCommandException rejected)
        {
            var error = $"SMTP {(int)rejected.StatusCode} ({rejected.ErrorCode})";
            return (int)rejected.StatusCode is >= 400 and < 500 ? DeliveryAttempt.Transient(error) : DeliveryAttempt.Permanent(error);
        }
        catch (AuthenticationException)
        {
            return DeliveryAttempt.Permanent($"SMTP authentication as '{smtp.Username}' failed.");
        }
        catch (SslHandshakeException)
        {
            return DeliveryAttempt.Permanent("The TLS handshake with the SMTP server failed.");
        }
        catch (NotSupportedException)
        {
            return DeliveryAttempt.Permanent("The SMTP server does not offer what the channel requires (STARTTLS or authentication).");
        }
        catch (SocketException socket)
        {
            return DeliveryAttempt.Transient($"connection failed: {HttpAttempts.Words(socket.SocketErrorCode.ToString())}");
        }
        catch (Exception dropped) when (dropped is SmtpProtocolException or IOException or ServiceNotConnectedException)
        {
            return DeliveryAttempt.Transient("the SMTP connection dropped");
        }
    }

    internal static SecureSocketOptions Security(SmtpTls tls) => tls switch
    {
        SmtpTls.None => SecureSocketOptions.None,
        SmtpTls.StartTls => SecureSocketOptions.StartTls,
        SmtpTls.StartTlsWhenAvailable => SecureSocketOptions.StartTlsWhenAvailable,
        SmtpTls.Implicit => SecureSocketOptions.SslOnConnect,
        _ => throw new ArgumentOutOfRangeException(nameof(tls), tls, "Unknown SMTP TLS mode."),
    };

    private static MimeMessage Message(SmtpChannel smtp, AlertNotification notification)
    {
        var email = AlertEmail.Render(notification);
        var message = new MimeMessage
        {
            Subject = email.Subject,
            Date = notification.OccurredAt,
            MessageId = $"{notification.IdempotencyId}@tokentally",
            Body = new BodyBuilder { TextBody = email.PlainText, HtmlBody = email.Html }.ToMessageBody(),
        };
        message.From.Add(MailboxAddress.Parse(smtp.From));
        message.To.AddRange(smtp.To.Select(MailboxAddress.Parse));
        message.Headers.Add("X-TokenTally-Alert-Id", notification.IdempotencyId);
        return message;
    }
}

/// <summary>
/// How an SMTP server's certificate is checked under STARTTLS or implicit TLS: by the machine's trust store (null, always in
/// the hosts), or by a check a test adds to trust its own listener's self-signed certificate.
/// </summary>
public sealed record SmtpCertificateCheck(System.Net.Security.RemoteCertificateValidationCallback? Validate);
