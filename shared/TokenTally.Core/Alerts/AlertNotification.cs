using System.Security.Cryptography;
using System.Text;

namespace TokenTally.Core.Alerts;

/// <summary>How urgent an alert is; channels show it as a colour or a subject prefix.</summary>
public enum AlertSeverity
{
    /// <summary>For information; nothing needs doing yet.</summary>
    Info,

    /// <summary>Someone should look soon (a budget's early threshold).</summary>
    Warning,

    /// <summary>Someone should act now (a budget exceeded).</summary>
    Critical,
}

/// <summary>One named value an alert shows, such as the scope, the spend or the threshold.</summary>
/// <param name="Name">The label, e.g. <c>Spend</c>.</param>
/// <param name="Value">The value as people read it, e.g. <c>$412.10</c>.</param>
public sealed record AlertFact(string Name, string Value);

/// <summary>
/// What every channel delivers about one alert transition: the same content rendered as a Teams card, an email or a
/// webhook body.
/// </summary>
/// <param name="IdempotencyId">
/// Stable for one alert and one transition (see <see cref="IdempotencyIdFor"/>): every retry and every rerun sends the same
/// id, so receivers can drop duplicates.
/// </param>
/// <param name="Title">One line, e.g. <c>Budget 80 % reached: tenant acme</c>.</param>
/// <param name="Severity">How urgent.</param>
/// <param name="Summary">One sentence saying what happened.</param>
/// <param name="Facts">The values shown in order (scope, spend, threshold, period, projection …).</param>
/// <param name="DashboardLink">Where to look next: the dashboard view of the alert's scope.</param>
/// <param name="OccurredAt">When the transition happened (UTC).</param>
public sealed record AlertNotification(
    string IdempotencyId,
    string Title,
    AlertSeverity Severity,
    string Summary,
    IReadOnlyList<AlertFact> Facts,
    Uri DashboardLink,
    DateTimeOffset OccurredAt)
{
    /// <summary>
    /// The idempotency id of an alert's transition: <c>alrt_</c> and 32 hex digits of SHA-256 over the alert's identity and
    /// the transition, so the same pair always gives the same id and the id reveals neither.
    /// </summary>
    /// <param name="alertKey">What identifies the alert, e.g. <c>budget:monthly-ai/2026-12/80</c>.</param>
    /// <param name="transition">The state change being announced, e.g. <c>firing</c> or <c>resolved</c>.</param>
    /// <exception cref="ArgumentException">Either part is empty.</exception>
    public static string IdempotencyIdFor(string alertKey, string transition)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(alertKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(transition);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{alertKey}\n{transition}"));
        return "alrt_" + Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    /// <summary>The severity as a lower-case word (<c>info</c>, <c>warning</c>, <c>critical</c>).</summary>
    public string SeverityName => Severity switch
    {
        AlertSeverity.Info => "info",
        AlertSeverity.Warning => "warning",
        AlertSeverity.Critical => "critical",
        _ => throw new InvalidOperationException($"Unknown severity {Severity}."),
    };
}
