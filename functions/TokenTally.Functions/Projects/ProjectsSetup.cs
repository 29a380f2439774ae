using Microsoft.AspNetCore.Authentication;

namespace TokenTally.Functions.Projects;

public static class ProjectsSetup
{
    /// <summary>Projects, API keys, and the API-key authentication scheme with its two policies.</summary>
    public static IServiceCollection AddProjects(this IServiceCollection services)
    {
        services.AddMemoryCache();
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
