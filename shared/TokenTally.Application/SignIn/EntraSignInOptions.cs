using Microsoft.Extensions.Options;
using TokenTally.Application.Projects;

namespace TokenTally.Application.SignIn;

/// <summary>
/// TokenTally:Auth:Entra — sign-in through App Service authentication (Entra ID) in front of the Functions app. Off by
/// default; local mode never reads it.
/// </summary>
public sealed class EntraSignInOptions
{
    public const string Section = "TokenTally:Auth:Entra";

    /// <summary>
    /// Trust the client-principal header App Service authentication sets. Honoured only where the platform says its
    /// authentication is on (<see cref="SignInTrust.AuthEnabledSetting"/>), and never in local mode.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The claim of the signed-in principal whose value names the TokenTally tenant it acts for (e.g. an Entra directory
    /// extension attribute); a value that is not a valid tenant name gives no tenant. Exclusive with <see cref="DefaultTenant"/>.
    /// </summary>
    public string? TenantClaim { get; set; }

    /// <summary>The one tenant every signed-in principal acts for (single-tenant deployments). Exclusive with <see cref="TenantClaim"/>.</summary>
    public string? DefaultTenant { get; set; }
}

/// <summary>Every invalid setting is named by its full path.</summary>
internal sealed class EntraSignInOptionsValidator : IValidateOptions<EntraSignInOptions>
{
    public ValidateOptionsResult Validate(string? name, EntraSignInOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.TenantClaim) && !string.IsNullOrWhiteSpace(options.DefaultTenant))
        {
            failures.Add("TokenTally:Auth:Entra:TenantClaim and TokenTally:Auth:Entra:DefaultTenant exclude each other: a claim names each principal's tenant, or one tenant serves everyone.");
        }

        if (!string.IsNullOrWhiteSpace(options.DefaultTenant) && !ProjectStore.IsValidName(options.DefaultTenant))
        {
            failures.Add($"TokenTally:Auth:Entra:DefaultTenant must be a tenant name (2-63 lower-case letters, digits or dashes); '{options.DefaultTenant}' is not.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
