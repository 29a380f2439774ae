using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using TokenTally.Application.Projects;

namespace TokenTally.Application.SignIn;

/// <summary>
/// The sign-in scheme: the principal App Service authentication sets, its highest TokenTally app role mapped to what a key
/// would allow, and the tenant it acts for from <see cref="EntraSignInOptions"/>. It answers nothing unless
/// <see cref="SignInTrust"/> trusts the header.
/// </summary>
internal sealed class ClientPrincipalAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SignInTrust trust,
    IOptions<EntraSignInOptions> signIn) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AppServiceSignIn";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!trust.TrustsPlatformHeaders || Request.Headers[ClientPrincipal.Header].ToString() is not { Length: > 0 } header)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!ClientPrincipal.TryDecode(header, out var principal))
        {
            return Task.FromResult(AuthenticateResult.Fail($"The {ClientPrincipal.Header} header is not base64 of a client principal."));
        }

        var id = Request.Headers[ClientPrincipal.IdHeader].ToString() is { Length: > 0 } fromHeader ? fromHeader : principal!.ObjectId;
        if (id is null)
        {
            return Task.FromResult(AuthenticateResult.Fail($"The signed-in principal has no id ({ClientPrincipal.IdHeader} or an oid claim)."));
        }

        var name = Request.Headers[ClientPrincipal.NameHeader].ToString() is { Length: > 0 } nameHeader ? nameHeader : principal!.Name ?? id;
        var claims = Caller.SignedInClaims(id, name, AppRoles.HighestOf(principal!.Roles), TenantOf(principal));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName)));
    }

    /// <summary>The tenant the principal acts for: the configured claim's value, or the one default tenant; null for none.</summary>
    private string? TenantOf(ClientPrincipal principal)
    {
        var settings = signIn.Value;
        var tenant = string.IsNullOrWhiteSpace(settings.TenantClaim) ? settings.DefaultTenant : principal.ValueOf(settings.TenantClaim);
        return ProjectStore.IsValidName(tenant) ? tenant : null;
    }
}
