using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using TokenTally.Application.Projects;

namespace TokenTally.Application.SignIn;

public static class SignInSetup
{
    /// <summary>The scheme that picks, per request, between a TokenTally key and the signed-in principal.</summary>
    public const string KeyOrSignInScheme = "KeyOrSignIn";

    /// <summary>
    /// Sign-in through App Service authentication beside the API keys (the Functions app only; local mode never adds it). A
    /// request that presents a TokenTally key (<c>tt_…</c>) is judged by its key; otherwise, where <see cref="SignInTrust"/>
    /// trusts the platform's header, by the signed-in principal. An Entra token in <c>Authorization: Bearer</c>, which App
    /// Service authentication validated and left in place, is not taken for a key.
    /// </summary>
    public static IServiceCollection AddAppServiceSignIn(this IServiceCollection services)
    {
        services.AddOptions<EntraSignInOptions>().BindConfiguration(EntraSignInOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EntraSignInOptions>, EntraSignInOptionsValidator>();
        services.AddSingleton<SignInTrust>();
        services.AddAuthentication(KeyOrSignInScheme)
            .AddScheme<AuthenticationSchemeOptions, ClientPrincipalAuthenticationHandler>(ClientPrincipalAuthenticationHandler.SchemeName, null)
            .AddPolicyScheme(KeyOrSignInScheme, null, scheme =>
            {
                scheme.ForwardDefaultSelector = SchemeFor;

                // Every 401 is the API's problem details, whichever scheme judged the request.
                scheme.ForwardChallenge = ApiKeyAuthenticationHandler.SchemeName;
            });
        return services;
    }

    private static string SchemeFor(HttpContext context)
    {
        var presentsKey = ApiKeyAuthenticationHandler.KeyFrom(context.Request) is { } key && key.StartsWith("tt_", StringComparison.Ordinal);
        return !presentsKey && context.Request.Headers.ContainsKey(ClientPrincipal.Header) && context.RequestServices.GetRequiredService<SignInTrust>().TrustsPlatformHeaders
            ? ClientPrincipalAuthenticationHandler.SchemeName
            : ApiKeyAuthenticationHandler.SchemeName;
    }
}
