using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace TokenTally.Testing;

/// <summary>A request the stand-in received: method, path, api-version, whether it carried the token, and its body.</summary>
public sealed record VaultRequest(string Method, string Path, string? ApiVersion, bool Authorized, string Body);

/// <summary>A secret as the stand-in holds it.</summary>
public sealed record VaultSecret(string Value, string? ContentType, IReadOnlyDictionary<string, string> Tags);

/// <summary>
/// A loopback HTTPS endpoint standing in for the Key Vault secrets REST API (there is no Key Vault emulator): the
/// challenge handshake (a request without a token gets 401 and a <c>WWW-Authenticate: Bearer authorization=…,
/// resource=…</c>), PUT, GET and DELETE of <c>/secrets/{name}</c>, soft-delete (a deleted name cannot be set again: 409)
/// and <c>POST /deletedsecrets/{name}/recover</c>. It serves a self-signed certificate that <see cref="ClientOptions"/> trusts.
/// </summary>
public sealed partial class KeyVaultStandIn : IAsyncDisposable
{
    public const string Resource = "https://vault.azure.net";

    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;

    private KeyVaultStandIn(WebApplication app, X509Certificate2 certificate, Uri vaultUri)
    {
        _app = app;
        _certificate = certificate;
        VaultUri = vaultUri;
    }

    public Uri VaultUri { get; }

    public ConcurrentQueue<VaultRequest> Requests { get; } = new();

    public ConcurrentDictionary<string, VaultSecret> Secrets { get; } = new(StringComparer.OrdinalIgnoreCase);

    public ConcurrentDictionary<string, VaultSecret> Deleted { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>When set, every authorized request is refused with this status (e.g. 403, an identity without the role).</summary>
    public int? Refusal { get; set; }

    /// <summary>The credential whose token the stand-in accepts; it records the scopes it was asked for.</summary>
    public RecordingTokenCredential Credential { get; } = new();

    public static async Task<KeyVaultStandIn> StartAsync()
    {
        var certificate = SelfSignedLoopbackCertificate();
        var port = LoopbackPorts.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        var standIn = new KeyVaultStandIn(app, certificate, new Uri($"https://127.0.0.1:{port}/"));
        app.Run(standIn.ServeAsync);
        await app.StartAsync();
        return standIn;
    }

    /// <summary>Client options that trust the stand-in's certificate, skip the check that the challenge's resource is the vault's host (a loopback address here), and do not retry.</summary>
    public SecretClientOptions ClientOptions()
    {
        var thumbprint = _certificate.Thumbprint;
        var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == thumbprint };
        var options = new SecretClientOptions { Transport = new HttpClientTransport(handler), DisableChallengeResourceVerification = true };
        options.Retry.MaxRetries = 0;
        return options;
    }

    public SecretClient CreateClient() => new(VaultUri, Credential, ClientOptions());

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _certificate.Dispose();
    }

    private async Task ServeAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var path = context.Request.Path.Value!.TrimEnd('/');
        var authorized = context.Request.Headers.Authorization.ToString() == "Bearer " + RecordingTokenCredential.Token;
        Requests.Enqueue(new VaultRequest(context.Request.Method, path, context.Request.Query["api-version"], authorized, body));

        if (!authorized)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = $"Bearer authorization=\"https://login.microsoftonline.com/{Guid.Empty}\", resource=\"{Resource}\"";
            return;
        }

        if (Refusal is { } refusal)
        {
            await ErrorAsync(context, refusal, "Forbidden", $"The caller may not do this; the request was {body}.");
            return;
        }

        if (string.IsNullOrEmpty(context.Request.Query["api-version"]))
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "BadParameter", "api-version is required.");
            return;
        }

        var secret = SecretPath().Match(path);
        var recover = RecoverPath().Match(path);
        if (secret.Success && !ValidName().IsMatch(secret.Groups["name"].Value))
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "BadParameter", "The secret name is invalid.");
            return;
        }

        var name = secret.Success ? secret.Groups["name"].Value : recover.Groups["name"].Value;
        switch (context.Request.Method)
        {
            case "PUT" when secret.Success:
                if (Deleted.ContainsKey(name))
                {
                    await ErrorAsync(context, StatusCodes.Status409Conflict, "Conflict", $"Secret {name} is currently in a deleted but recoverable state.");
                    return;
                }

                var json = JsonNode.Parse(body)!;
                var tags = json["tags"]?.AsObject().ToDictionary(t => t.Key, t => t.Value!.GetValue<string>()) ?? [];
                Secrets[name] = new VaultSecret(json["value"]!.GetValue<string>(), json["contentType"]?.GetValue<string>(), tags);
                await BundleAsync(context, name, Secrets[name]);
                return;
            case "GET" when secret.Success:
                if (Secrets.TryGetValue(name, out var stored))
                {
                    await BundleAsync(context, name, stored);
                }
                else
                {
                    await ErrorAsync(context, StatusCodes.Status404NotFound, "SecretNotFound", $"A secret with (name/id) {name} was not found in this key vault.");
                }

                return;
            case "DELETE" when secret.Success:
                if (Secrets.TryRemove(name, out var deleted))
                {
                    Deleted[name] = deleted;
                    await BundleAsync(context, name, deleted, new JsonObject { ["recoveryId"] = $"{VaultUri}deletedsecrets/{name}", ["deletedDate"] = 1_700_000_000 });
                }
                else
                {
                    await ErrorAsync(context, StatusCodes.Status404NotFound, "SecretNotFound", $"A secret with (name/id) {name} was not found in this key vault.");
                }

                return;
            case "POST" when recover.Success:
                if (Deleted.TryRemove(name, out var recovered))
                {
                    Secrets[name] = recovered;
                    await BundleAsync(context, name, recovered);
                }
                else
                {
                    await ErrorAsync(context, StatusCodes.Status404NotFound, "DeletedSecretNotFound", $"Deleted secret {name} not found.");
                }

                return;
            default:
                await ErrorAsync(context, StatusCodes.Status400BadRequest, "BadParameter", $"{context.Request.Method} {path} is not served by this stand-in.");
                return;
        }
    }

    private Task BundleAsync(HttpContext context, string name, VaultSecret secret, JsonObject? extra = null)
    {
        var bundle = new JsonObject
        {
            ["value"] = secret.Value,
            ["id"] = $"{VaultUri}secrets/{name}/0123456789abcdef0123456789abcdef",
            ["contentType"] = secret.ContentType,
            ["attributes"] = new JsonObject { ["enabled"] = true, ["created"] = 1_700_000_000, ["updated"] = 1_700_000_000, ["recoveryLevel"] = "Recoverable+Purgeable" },
            ["tags"] = new JsonObject(secret.Tags.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)t.Value))),
        };
        foreach (var (key, value) in extra ?? [])
        {
            bundle[key] = value?.DeepClone();
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(bundle.ToJsonString(), context.RequestAborted);
    }

    private static Task ErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { error = new { code, message } }), context.RequestAborted);
    }

    private static X509Certificate2 SelfSignedLoopbackCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var created = request.CreateSelfSigned(TimeProvider.System.GetUtcNow().AddMinutes(-5), TimeProvider.System.GetUtcNow().AddHours(1));

        // Kestrel needs the private key in a form SslStream can use: a round trip through PKCS #12 gives it one.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    [GeneratedRegex("^/secrets/(?<name>[^/]+)(/[^/]*)?$")]
    private static partial Regex SecretPath();

    [GeneratedRegex("^/deletedsecrets/(?<name>[^/]+)/recover$")]
    private static partial Regex RecoverPath();

    [GeneratedRegex("^[0-9a-zA-Z-]{1,127}$")]
    private static partial Regex ValidName();
}

/// <summary>A credential that hands out one fixed token and records the scopes each request for one named.</summary>
public sealed class RecordingTokenCredential : TokenCredential
{
    public const string Token = "stand-in-token";

    public ConcurrentQueue<string[]> Scopes { get; } = new();

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        Scopes.Enqueue(requestContext.Scopes);
        return new AccessToken(Token, TimeProvider.System.GetUtcNow().AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
