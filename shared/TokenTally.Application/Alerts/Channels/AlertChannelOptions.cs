namespace TokenTally.Application.Alerts.Channels;

/// <summary>TokenTally:Alerts:Channels — how alert deliveries retry and time out.</summary>
public sealed class AlertChannelOptions
{
    public const string Section = "TokenTally:Alerts:Channels";

    /// <summary>Attempts per channel and notification, the first included.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>The wait after the first failed attempt; it doubles after each further failure, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between attempts; a Retry-After asking for more gives the channel up as failed.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one attempt may take (connect, send, answer).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether a channel may name a plain-http URL on a loopback address (a receiver on the same machine, a test listener);
    /// otherwise every channel URL must be https.
    /// </summary>
    public bool AllowLoopbackHttp { get; set; }

    /// <summary>Where an alert's "open" link points: the base address of the TokenTally API the alerts are read from.</summary>
    public Uri DashboardUrl { get; set; } = new("http://localhost:7071/");

    /// <summary>The Azure Communication Services Email REST API version.</summary>
    public string AcsApiVersion { get; set; } = "2025-09-01";
}
