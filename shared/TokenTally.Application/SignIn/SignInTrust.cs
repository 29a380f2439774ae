using Microsoft.Extensions.Options;

namespace TokenTally.Application.SignIn;

/// <summary>
/// Whether the client-principal header may be believed: TokenTally:Auth:Entra:Enabled, and the platform saying its
/// authentication is on. App Service authentication removes any client-sent <c>X-MS-CLIENT-PRINCIPAL*</c> header and sets
/// its own, and the platform sets <see cref="AuthEnabledSetting"/> to <c>True</c> only while that module runs in front of
/// the app; without it, a header could only have come from the caller.
/// </summary>
public sealed class SignInTrust(IOptions<EntraSignInOptions> options, IConfiguration configuration)
{
    /// <summary>The environment variable App Service sets to <c>True</c> when its authentication module is on.</summary>
    public const string AuthEnabledSetting = "WEBSITE_AUTH_ENABLED";

    /// <summary>True when the option is on and the platform's authentication runs in front of the app.</summary>
    public bool TrustsPlatformHeaders =>
        options.Value.Enabled && string.Equals(configuration[AuthEnabledSetting], "True", StringComparison.OrdinalIgnoreCase);
}
