using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TokenTally.Application.Alerts.Channels;

/// <summary>
/// Azure Communication Services access-key authentication (HMAC-SHA256): the string to sign is
/// <c>VERB\npath?query\nx-ms-date;host;x-ms-content-sha256</c>, signed with the base64-decoded access key.
/// </summary>
internal static class AcsHmac
{
    public static string ContentHash(ReadOnlySpan<byte> body) => Convert.ToBase64String(SHA256.HashData(body));

    /// <summary>RFC 1123, e.g. <c>Thu, 03 Dec 2026 13:00:00 GMT</c>; the service allows 15 minutes of skew.</summary>
    public static string Date(DateTimeOffset now) => now.ToUniversalTime().ToString("R", CultureInfo.InvariantCulture);

    public static string StringToSign(string method, Uri url, string date, string contentHash)
        => $"{method}\n{url.PathAndQuery}\n{date};{url.Authority};{contentHash}";

    public static string Authorization(byte[] accessKey, string stringToSign)
    {
        var signature = Convert.ToBase64String(HMACSHA256.HashData(accessKey, Encoding.UTF8.GetBytes(stringToSign)));
        return $"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={signature}";
    }

    /// <summary>Adds <c>x-ms-date</c>, <c>x-ms-content-sha256</c> and <c>Authorization</c> to a request for <paramref name="body"/>.</summary>
    public static void Sign(HttpRequestMessage request, byte[] body, byte[] accessKey, DateTimeOffset now)
    {
        var date = Date(now);
        var hash = ContentHash(body);
        request.Headers.Add("x-ms-date", date);
        request.Headers.Add("x-ms-content-sha256", hash);
        request.Headers.TryAddWithoutValidation("Authorization", Authorization(accessKey, StringToSign(request.Method.Method, request.RequestUri!, date, hash)));
    }
}
