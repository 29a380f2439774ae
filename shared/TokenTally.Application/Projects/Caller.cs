using System.Reflection;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace TokenTally.Application.Projects;

/// <summary>
/// Who is calling, as the endpoints see it: the admin, or a project key with its tenant, project and scopes, or a principal
/// signed in through App Service authentication with what its app role allows (<see cref="SignedInClaims"/>). Handlers take
/// it as a parameter; it is read once from the authenticated principal.
/// </summary>
public sealed record Caller(string KeyId, string? Tenant, string? Project, KeyScopes Scopes, bool IsAdmin) : IBindableFromHttpContext<Caller>
{
    private const string TenantClaim = "tokentally:tenant";
    private const string ProjectClaim = "tokentally:project";
    public const string KeyIdClaim = "tokentally:key";
    public const string ScopeClaim = "tokentally:scope";
    public const string AdminRole = "admin";

    /// <summary>Why a signed-in principal may do nothing, added to each 403 it gets.</summary>
    public const string RefusalClaim = "tokentally:refusal";

    /// <summary>The role of a signed-in editor: manages its tenant's budgets, channels and alerts.</summary>
    public const string EditorRole = "editor";

    /// <summary>Whether the key may read <paramref name="project"/> of its tenant.</summary>
    public bool CanRead(string project) =>
        Scopes.HasFlag(KeyScopes.ReadTenant) || (Scopes.HasFlag(KeyScopes.ReadProject) && project == Project);

    /// <summary>
    /// Whether the caller may read a resource of its tenant with this scope (a budget, a rule): a reader confined to a project
    /// reads those scoped to its project alone; the others read all.
    /// </summary>
    public bool CanReadScope(IReadOnlyDictionary<string, IReadOnlyList<string>> scope) =>
        ReadableProjectOnly is not { } own || (scope.TryGetValue("project", out var projects) && projects is [var only] && only == own);

    /// <summary>The one project a project-scoped reader is confined to; null when it reads the whole tenant.</summary>
    public string? ReadableProjectOnly => Scopes.HasFlag(KeyScopes.ReadTenant) ? null : Project;

    /// <summary>The tenant of a project key (endpoints that need one require a project-key policy first).</summary>
    public string RequiredTenant => Tenant ?? throw new InvalidOperationException("This endpoint needs a project key; its authorization policy should have refused the admin key.");

    public static ValueTask<Caller?> BindAsync(HttpContext context, ParameterInfo parameter) => ValueTask.FromResult(From(context.User));

    public static Caller? From(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true || user.FindFirstValue(KeyIdClaim) is not { } keyId)
        {
            return null;
        }

        var scopes = KeyScopeNames.Parse(user.FindAll(ScopeClaim).Select(c => c.Value));
        return new Caller(keyId, user.FindFirstValue(TenantClaim), user.FindFirstValue(ProjectClaim), scopes, user.IsInRole(AdminRole));
    }

    internal static IEnumerable<Claim> AdminClaims() => [new(ClaimTypes.Role, AdminRole), new(KeyIdClaim, "admin")];

    /// <summary>
    /// The claims of a signed-in principal: an admin is the admin (and reads <paramref name="tenant"/> when it has one); an
    /// editor or viewer reads its tenant as a <c>read:tenant</c> key, and an editor manages it. Without a role, or an editor or
    /// viewer without a tenant, it is signed in but may do nothing (no key id: <see cref="From"/> gives no caller).
    /// </summary>
    internal static IEnumerable<Claim> SignedInClaims(string principalId, string name, SignIn.SignInRole role, string? tenant)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name) };
        if (role == SignIn.SignInRole.None)
        {
            claims.Add(new(RefusalClaim, $"The signed-in principal holds none of the app roles {SignIn.AppRoles.Admin}, {SignIn.AppRoles.Editor}, {SignIn.AppRoles.Viewer}."));
            return claims;
        }

        if (role != SignIn.SignInRole.Admin && tenant is null)
        {
            claims.Add(new(RefusalClaim, "The signed-in principal acts for no tenant: the claim TokenTally:Auth:Entra:TenantClaim names is missing or not a tenant name, or TokenTally:Auth:Entra:DefaultTenant is not set."));
            return claims;
        }

        claims.Add(new(KeyIdClaim, "entra:" + principalId));
        if (role is SignIn.SignInRole.Admin or SignIn.SignInRole.Editor)
        {
            claims.Add(new(ClaimTypes.Role, role == SignIn.SignInRole.Admin ? AdminRole : EditorRole));
        }

        if (tenant is not null)
        {
            claims.Add(new(TenantClaim, tenant));
            claims.Add(new(ScopeClaim, KeyScopeNames.ReadTenant));
        }

        return claims;
    }

    internal static IEnumerable<Claim> ProjectClaims(KeyResolution.ForProject key) =>
        new[] { new Claim(TenantClaim, key.Tenant), new Claim(ProjectClaim, key.Project), new Claim(KeyIdClaim, key.KeyId) }
            .Concat(KeyScopeNames.All.Where(name => KeyScopeNames.TryParse(name, out var scope) && key.Scopes.HasFlag(scope)).Select(name => new Claim(ScopeClaim, name)));
}

/// <summary>The authorization policies endpoints name.</summary>
public static class Policies
{
    /// <summary>The admin key.</summary>
    public const string Admin = "admin";

    /// <summary>A project key with the <c>ingest</c> scope.</summary>
    public const string Ingest = "ingest";

    /// <summary>A project key with <c>read:project</c> or <c>read:tenant</c>.</summary>
    public const string Read = "read";

    /// <summary>A project key with <c>read:tenant</c>.</summary>
    public const string ReadTenant = "read-tenant";

    /// <summary>Any valid key, or a signed-in principal with an app role.</summary>
    public const string AnyKey = "any-key";

    /// <summary>The admin key or a signed-in admin, or a signed-in editor (for its own tenant): writes of budgets, channels and alerts.</summary>
    public const string Manage = "manage";

    /// <summary>The admin key, or a project key with <c>read:project</c> or <c>read:tenant</c>.</summary>
    public const string AdminOrRead = "admin-or-read";

    /// <summary>The admin key, or a project key with <c>read:tenant</c>.</summary>
    public const string AdminOrReadTenant = "admin-or-read-tenant";
}

/// <summary>Met by the admin key, or by a project key with one of <see cref="Scopes"/>: a policy's requirements must all hold, so "either" is one requirement.</summary>
public sealed class AdminOrScopeRequirement(params string[] scopes) : AuthorizationHandler<AdminOrScopeRequirement>, IAuthorizationRequirement
{
    public IReadOnlyList<string> Scopes { get; } = scopes;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AdminOrScopeRequirement requirement)
    {
        if (context.User.IsInRole(Caller.AdminRole) || Scopes.Any(scope => context.User.HasClaim(Caller.ScopeClaim, scope)))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
