using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace TokenTally.Application.Projects;

public static class ProjectsSetup
{
    /// <summary>Projects, API keys, the API-key authentication scheme and the scope policies.</summary>
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
            .AddPolicy(Policies.Admin, policy => policy.RequireRole(Caller.AdminRole))
            .AddPolicy(Policies.Ingest, policy => policy.RequireClaim(Caller.ScopeClaim, KeyScopeNames.Ingest))
            .AddPolicy(Policies.Read, policy => policy.RequireClaim(Caller.ScopeClaim, KeyScopeNames.ReadProject, KeyScopeNames.ReadTenant))
            .AddPolicy(Policies.ReadTenant, policy => policy.RequireClaim(Caller.ScopeClaim, KeyScopeNames.ReadTenant))
            .AddPolicy(Policies.AnyKey, policy => policy.RequireClaim(Caller.KeyIdClaim))
            .AddPolicy(Policies.Manage, policy => policy.RequireRole(Caller.AdminRole, Caller.EditorRole))
            .AddPolicy(Policies.AdminOrRead, policy => policy.AddRequirements(new AdminOrScopeRequirement(KeyScopeNames.ReadProject, KeyScopeNames.ReadTenant)))
            .AddPolicy(Policies.AdminOrReadTenant, policy => policy.AddRequirements(new AdminOrScopeRequirement(KeyScopeNames.ReadTenant)));
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ForbiddenAsProblem>();
        return services;
    }

    /// <summary>A 403 says which scope or role the endpoint needs, as problem details.</summary>
    private sealed class ForbiddenAsProblem : IAuthorizationMiddlewareResultHandler
    {
        private readonly AuthorizationMiddlewareResultHandler _default = new();

        public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
        {
            if (!authorizeResult.Forbidden)
            {
                await _default.HandleAsync(next, context, policy, authorizeResult);
                return;
            }

            var needs = policy.Requirements.Select(requirement => requirement switch
            {
                Microsoft.AspNetCore.Authorization.Infrastructure.RolesAuthorizationRequirement roles => roles.AllowedRoles.Contains(Caller.EditorRole)
                    ? $"the admin key, or the app role {SignIn.AppRoles.Admin} or {SignIn.AppRoles.Editor}"
                    : $"the admin key (or the app role {SignIn.AppRoles.Admin})",
                Microsoft.AspNetCore.Authorization.Infrastructure.ClaimsAuthorizationRequirement { ClaimType: Caller.KeyIdClaim } => "a valid key, or an app role",
                AdminOrScopeRequirement either => "the admin key or a project key with the scope " + string.Join(" or ", either.Scopes.Select(v => $"'{v}'")),
                Microsoft.AspNetCore.Authorization.Infrastructure.ClaimsAuthorizationRequirement claims =>
                    "a project key with the scope " + string.Join(" or ", (claims.AllowedValues ?? []).Select(v => $"'{v}'")),
                _ => "a valid key",
            }).Distinct();
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            var why = context.User.FindFirst(Caller.RefusalClaim) is { } refusal ? " " + refusal.Value : string.Empty;
            await Results.Problem(title: "Forbidden", detail: $"This endpoint needs {string.Join(" and ", needs)}.{why}", statusCode: StatusCodes.Status403Forbidden)
                .ExecuteAsync(context);
        }
    }
}
