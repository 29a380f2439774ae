using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MimeKit;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.Protocol;
using SmtpServer.Storage;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Alerts.Channels;

/// <summary>One message as the SMTP listener received it: the envelope, the login used, whether the session was under TLS, and the parsed message.</summary>
internal sealed record ReceivedEmail(IReadOnlyList<string> EnvelopeTo, string? User, string? Password, MimeMessage Message, bool OverTls = false);

/// <summary>
/// An SMTP server (the SmtpServer package) on a loopback port that accepts any login and records every message; given a
/// certificate it offers STARTTLS and takes logins only after it.
/// </summary>
internal sealed class SmtpReceiver : IAsyncDisposable
{
    private readonly SmtpServer.SmtpServer _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    private readonly Recorder _recorder = new();

    private SmtpReceiver(X509Certificate2? certificate)
    {
        Port = LoopbackPorts.Free();
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(endpoint =>
            {
                endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, Port));
                if (certificate is null)
                {
                    endpoint.AllowUnsecureAuthentication();
                }
                else
                {
                    endpoint.Certificate(certificate).AllowUnsecureAuthentication(false);
                }
            })
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add((IMessageStore)_recorder);
        services.Add((IUserAuthenticator)_recorder);
        _server = new SmtpServer.SmtpServer(options, services);
        _running = _server.StartAsync(_stop.Token);
    }

    public int Port { get; }

    public IReadOnlyCollection<ReceivedEmail> Messages => _recorder.Messages;

    public static SmtpReceiver Start() => new(null);

    /// <summary>A listener that offers STARTTLS with <paramref name="certificate"/>.</summary>
    public static SmtpReceiver StartWithTls(X509Certificate2 certificate) => new(certificate);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _server.Shutdown();
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (OperationCanceledException)
        {
            // Stopping is cancelling.
        }

        _stop.Dispose();
    }

    private sealed class Recorder : IMessageStore, IUserAuthenticator
    {
        private readonly ConcurrentDictionary<ISessionContext, (string User, string Password)> _logins = new();

        public ConcurrentQueue<ReceivedEmail> Messages { get; } = new();

        public Task<bool> AuthenticateAsync(ISessionContext context, string user, string password, CancellationToken cancellationToken)
        {
            _logins[context] = (user, password);
            return Task.FromResult(true);
        }

        public async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            var login = _logins.TryGetValue(context, out var l) ? l : default;
            Messages.Enqueue(new ReceivedEmail([.. transaction.To.Select(m => $"{m.User}@{m.Host}")], login.User, login.Password, message, context.Pipe.IsSecure));
            return SmtpResponse.Ok;
        }
    }
}
