using Microsoft.AspNetCore.Authentication;

namespace TokenTally.Functions.Projects;

public static class ProjectsSetup
{
    /// <summary>Projects, API keys, and the API-key authentication scheme with its two policies.</summary>
    public static IServiceCollection AddProjects(this IServiceCollection services)
    {
        services.AddMemoryCache();
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section)
            .Validate(o => o.KeySha256 is null or "" || (o.KeySha256.Length == 64 && o.KeySha256.All(char.IsAsciiHexDigit)), "TokenTally:Admin:KeySha256 must be 64 hexadecimal characters (the SHA-256 of the admin key).")
            .ValidateOnStart();
        services.AddSingleton<ProjectStore>();
        services.AddSingleton<ApiKeyResolver>();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Admin, policy => policy.RequireRole(ApiKeyAuthenticationHandler.AdminRole))
            .AddPolicy(Policies.ProjectKey, policy => policy.RequireClaim(ApiKeyAuthenticationHandler.ProjectClaim));
        return services;
    }
}
