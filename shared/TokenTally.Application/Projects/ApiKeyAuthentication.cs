using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using TokenTally.Storage.Documents;

namespace TokenTally.Application.Projects;

/// <summary>TokenTally:Admin — the admin key where none is printed at start-up (Azure).</summary>
public sealed class AdminOptions
{
    public const string Section = "TokenTally:Admin";

    /// <summary>Lower-case hex SHA-256 of an admin key of the form tt_admin_…; only the hash is configured, never the key.</summary>
    public string? KeySha256 { get; set; }
}

/// <summary>Where local mode keeps the hash of the admin key it printed at its first start.</summary>
public static class AdminKeyDocument
{
    public const string PartitionKey = "_system";
    public const string Id = "admin-key";
    public const string Prefix = "tt_admin_";
}

/// <summary>What a presented key turns out to be.</summary>
public abstract record KeyResolution
{
    private KeyResolution()
    {
    }

    public sealed record Admin : KeyResolution;

    public sealed record ForProject(string Tenant, string Project, string KeyId, KeyScopes Scopes) : KeyResolution;

    public sealed record Invalid(string Reason) : KeyResolution;
}

/// <summary>
/// Resolves a presented key: the admin key, or a project key (tenant, project, scopes). Keys are compared by SHA-256 in
/// constant time; lookups are cached for 30 s, and a revocation on this instance applies at once (other instances within
/// the cache time).
/// </summary>
public sealed class ApiKeyResolver(ProjectStore projects, IDocumentStore store, IMemoryCache cache, IOptions<AdminOptions> adminOptions)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    public async Task<KeyResolution> ResolveAsync(string key, CancellationToken cancellationToken)
    {
        if (key.StartsWith(AdminKeyDocument.Prefix, StringComparison.Ordinal))
        {
            var admin = await cache.GetOrCreateAsync("admin-key", async entry =>
            {
                entry.AbsoluteExpirationRelativeToNow = CacheFor;
                var document = await store.GetAsync(DocumentContainer.Config, AdminKeyDocument.PartitionKey, AdminKeyDocument.Id, cancellationToken);
                return (string?)document?.Data["sha256"] ?? adminOptions.Value.KeySha256?.ToLowerInvariant();
            });
            return admin is not null && SameHash(admin, ProjectStore.Hash(key))
                ? new KeyResolution.Admin()
                : new KeyResolution.Invalid("The admin key is not valid.");
        }

        var keyId = ProjectStore.KeyIdOf(key);
        if (keyId is null)
        {
            return new KeyResolution.Invalid("The API key is malformed: TokenTally keys look like tt_<12 hex>_<secret>.");
        }

        var record = await cache.GetOrCreateAsync("key:" + keyId, async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            return await projects.GetKeyAsync(keyId, cancellationToken);
        });
        if (record is null || !SameHash(record.Sha256, ProjectStore.Hash(key)))
        {
            return new KeyResolution.Invalid("The API key is not valid.");
        }

        return record.RevokedAt is null
            ? new KeyResolution.ForProject(record.Tenant, record.Project, record.KeyId, KeyScopeNames.Parse(record.Scopes))
            : new KeyResolution.Invalid($"The API key {record.KeyId} was revoked at {record.RevokedAt:O}.");
    }

    /// <summary>Drops a key from this instance's cache (after a revocation).</summary>
    public void Forget(string keyId) => cache.Remove("key:" + keyId);

    private static bool SameHash(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));
}

/// <summary>The API-key authentication scheme: <c>Authorization: Bearer &lt;key&gt;</c> or <c>api-key: &lt;key&gt;</c>, answering 401 as problem details.</summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyResolver keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    /// <summary>The key sent with a request, from either header.</summary>
    public static string? KeyFrom(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        return request.Headers["api-key"].ToString() is { Length: > 0 } apiKey ? apiKey.Trim() : null;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = KeyFrom(Request);
        if (key is null)
        {
            return AuthenticateResult.NoResult();
        }

        return await keys.ResolveAsync(key, Context.RequestAborted) switch
        {
            KeyResolution.Admin => Success(Caller.AdminClaims()),
            KeyResolution.ForProject project => Success(Caller.ProjectClaims(project)),
            KeyResolution.Invalid(var reason) => AuthenticateResult.Fail(reason),
            _ => AuthenticateResult.Fail("Unknown key."),
        };
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // The default scheme: with sign-in on, the one that judged this request, so the message is about what was presented.
        var result = await Context.AuthenticateAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await Results.Problem(
            title: "Unauthorized",
            detail: result.Failure?.Message ?? "Send an API key as 'Authorization: Bearer <key>' or 'api-key: <key>'.",
            statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(Context);
    }

    private AuthenticateResult Success(IEnumerable<Claim> claims) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
}
