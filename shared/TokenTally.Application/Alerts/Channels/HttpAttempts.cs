using System.Net.Sockets;

namespace TokenTally.Application.Alerts.Channels;

/// <summary>
/// What an HTTP channel's answer or failure means for a retry. Messages name status codes and socket errors only,
/// never the URL (a Teams URL is itself a secret).
/// </summary>
internal static class HttpAttempts
{
    public const string ClientName = "TokenTally.AlertChannels";

    public static DeliveryAttempt Of(HttpResponseMessage response, TimeProvider time, string? receipt = null)
    {
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            return DeliveryAttempt.Delivered(receipt);
        }

        var error = $"HTTP {status} ({response.StatusCode})";
        if (response.Headers.TryGetValues("x-ms-error-code", out var codes))
        {
            error += $" {string.Join(",", codes)}";
        }

        return status is 408 or 429 || status >= 500
            ? DeliveryAttempt.Transient(error, RetryAfter(response, time))
            : DeliveryAttempt.Permanent(status == 410 ? $"{error}: the receiver says this endpoint is gone" : error);
    }

    public static DeliveryAttempt Of(HttpRequestException failure)
    {
        var socket = failure.InnerException as SocketException ?? failure.InnerException?.InnerException as SocketException;
        return socket is not null
            ? DeliveryAttempt.Transient($"connection failed: {Words(socket.SocketErrorCode.ToString())}")
            : DeliveryAttempt.Transient($"request failed: {Words(failure.HttpRequestError.ToString())}");
    }

    /// <summary>An absolute http or https URL, or null.</summary>
    public static Uri? HttpUrl(string value)
        => Uri.TryCreate(value, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp) ? url : null;

    private static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    /// <summary>ConnectionRefused → connection refused.</summary>
    public static string Words(string pascal) => string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? " " + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
