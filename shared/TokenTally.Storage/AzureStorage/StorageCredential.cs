using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;

namespace TokenTally.Storage.AzureStorage;

/// <summary>
/// How requests to a storage account are authorized: a Microsoft Entra token (managed identity in
/// production) or the account's shared key (Azurite, connection strings). The key never leaves this
/// type: it is not exposed, not printed by <see cref="object.ToString"/>, and not put in exceptions.
/// </summary>
public abstract class StorageCredential
{
    private protected StorageCredential()
    {
    }

    /// <summary>Bearer tokens for scope https://storage.azure.com/.default from <paramref name="credential"/>.</summary>
    public static StorageCredential FromTokenCredential(TokenCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return new TokenStorageCredential(credential);
    }

    /// <summary>Shared Key signing with the account name and its base64 key.</summary>
    /// <exception cref="FormatException">The key is not base64 (the message does not repeat it).</exception>
    public static StorageCredential FromSharedKey(string accountName, string accountKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountName);
        ArgumentException.ThrowIfNullOrWhiteSpace(accountKey);
        var key = new byte[accountKey.Length];
        if (!Convert.TryFromBase64String(accountKey, key, out var length) || length == 0)
        {
            throw new FormatException($"The account key for storage account '{accountName}' is not valid base64.");
        }

        return new SharedKeyStorageCredential(accountName, key.AsSpan(0, length).ToArray());
    }

    /// <summary>Adds the Authorization header to a request whose other headers (x-ms-date included) are final.</summary>
    internal abstract ValueTask AuthorizeAsync(HttpRequestMessage request, TimeProvider timeProvider, CancellationToken cancellationToken);
}

internal sealed class SharedKeyStorageCredential(string accountName, byte[] key) : StorageCredential
{
    public string AccountName { get; } = accountName;

    public override string ToString() => $"SharedKey {AccountName}";

    internal override ValueTask AuthorizeAsync(HttpRequestMessage request, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        request.Headers.TryAddWithoutValidation("Authorization", $"SharedKey {AccountName}:{Sign(SharedKeySignature.StringToSign(request, AccountName))}");
        return ValueTask.CompletedTask;
    }

    internal string Sign(string stringToSign) =>
        Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
}

internal sealed class TokenStorageCredential(TokenCredential credential) : StorageCredential
{
    private static readonly TokenRequestContext Scope = new(["https://storage.azure.com/.default"]);

    // Refresh a little before expiry so a token never expires in flight.
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    private AccessToken? _token;

    public override string ToString() => $"Token {credential.GetType().Name}";

    internal override async ValueTask AuthorizeAsync(HttpRequestMessage request, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (request.RequestUri?.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidOperationException("Bearer tokens are only sent over https; use an https storage endpoint (Azurite over http takes a shared key).");
        }

        var token = _token;
        if (token is null || token.Value.ExpiresOn - RefreshMargin <= timeProvider.GetUtcNow())
        {
            // Concurrent refreshes are harmless: each gets a valid token and the last one is kept.
            token = await credential.GetTokenAsync(Scope, cancellationToken);
            _token = token;
        }

        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token.Value.Token);
    }
}

/// <summary>
/// The Shared Key string-to-sign for the Blob and Queue services (version 2009-09-19 and later), per
/// https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key.
/// </summary>
internal static class SharedKeySignature
{
    private static readonly string[] StandardHeaders =
    [
        "Content-Encoding", "Content-Language", "Content-Length", "Content-MD5", "Content-Type", "Date",
        "If-Modified-Since", "If-Match", "If-None-Match", "If-Unmodified-Since", "Range",
    ];

    public static string StringToSign(HttpRequestMessage request, string accountName)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("The request has no URI.");
        var builder = new StringBuilder();
        builder.Append(request.Method.Method.ToUpperInvariant()).Append('\n');
        foreach (var name in StandardHeaders)
        {
            builder.Append(StandardHeaderValue(request, name)).Append('\n');
        }

        AppendCanonicalizedHeaders(builder, request);
        AppendCanonicalizedResource(builder, uri, accountName);
        return builder.ToString();
    }

    private static string StandardHeaderValue(HttpRequestMessage request, string name)
    {
        if (name == "Content-Length")
        {
            // Since version 2015-02-21 a zero length is signed as an empty string.
            var length = request.Content?.Headers.ContentLength;
            return length is null or 0 ? "" : length.Value.ToString(CultureInfo.InvariantCulture);
        }

        if (request.Headers.TryGetValues(name, out var values)
            || (request.Content is not null && request.Content.Headers.TryGetValues(name, out values)))
        {
            return string.Join(",", values);
        }

        return "";
    }

    private static void AppendCanonicalizedHeaders(StringBuilder builder, HttpRequestMessage request)
    {
        var headers = request.Headers.AsEnumerable();
        if (request.Content is not null)
        {
            headers = headers.Concat(request.Content.Headers);
        }

        var canonical = headers
            .Where(h => h.Key.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
            .Select(h => (Name: Lower(h.Key.Trim()), Value: FoldWhitespace(string.Join(",", h.Value))))
            .OrderBy(h => h.Name, StringComparer.Ordinal);
        foreach (var (name, value) in canonical)
        {
            builder.Append(name).Append(':').Append(value).Append('\n');
        }
    }

    private static void AppendCanonicalizedResource(StringBuilder builder, Uri uri, string accountName)
    {
        // The path exactly as encoded in the URI; with path-style URIs (Azurite) it already starts
        // with the account name, which the spec then repeats: /devstoreaccount1/devstoreaccount1/...
        builder.Append('/').Append(accountName).Append(uri.AbsolutePath.Length > 0 ? uri.AbsolutePath : "/");

        var parameters = uri.Query.TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(parts => (Name: Lower(Decode(parts[0])), Value: parts.Length > 1 ? Decode(parts[1]) : ""))
            .GroupBy(p => p.Name, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var parameter in parameters)
        {
            var values = parameter.Select(p => p.Value).Order(StringComparer.Ordinal);
            builder.Append('\n').Append(parameter.Key).Append(':').Append(string.Join(",", values));
        }
    }

    private static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));

    private static string FoldWhitespace(string value) =>
        string.Join(' ', value.Trim().Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries));

#pragma warning disable CA1308 // The Shared Key spec asks for lower-case header and parameter names.
    private static string Lower(string value) => value.ToLowerInvariant();
#pragma warning restore CA1308
}
