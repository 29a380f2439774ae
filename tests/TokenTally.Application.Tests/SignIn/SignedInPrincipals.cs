using System.Text;
using System.Text.Json;
using TokenTally.Application.SignIn;

namespace TokenTally.Application.Tests.SignIn;

/// <summary>Client principals as App Service authentication (Entra ID) sets them, for requests that carry them.</summary>
public static class SignedInPrincipals
{
    /// <summary>The claim the tests' hosts read the tenant from (TokenTally:Auth:Entra:TenantClaim).</summary>
    public const string TenantClaim = "extension_tokentallyTenant";

    /// <summary>The settings of a Functions app behind App Service authentication that reads each principal's tenant from <see cref="TenantClaim"/>.</summary>
    public static Dictionary<string, string?> BehindAppServiceAuthentication() => new()
    {
        ["TokenTally:Auth:Entra:Enabled"] = "true",
        ["TokenTally:Auth:Entra:TenantClaim"] = TenantClaim,
        [SignInTrust.AuthEnabledSetting] = "True",
    };

    /// <summary>Base64 of the principal's JSON, in the shape App Service authentication writes it.</summary>
    public static string Encode(string objectId, string? tenant, params string[] roles)
    {
        var claims = new List<object>
        {
            new { typ = "http://schemas.microsoft.com/identity/claims/objectidentifier", val = objectId },
            new { typ = "name", val = "Ada " + objectId },
            new { typ = "preferred_username", val = objectId + "@contoso.example" },
        };
        claims.AddRange(roles.Select(role => new { typ = "roles", val = role }));
        if (tenant is not null)
        {
            claims.Add(new { typ = TenantClaim, val = tenant });
        }

        var json = JsonSerializer.Serialize(new
        {
            auth_typ = "aad",
            claims,
            name_typ = "name",
            role_typ = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
        });
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>Adds the headers App Service authentication sets for a principal with <paramref name="roles"/> acting for <paramref name="tenant"/>.</summary>
    public static HttpRequestMessage SignedInAs(this HttpRequestMessage request, string? tenant, params string[] roles)
    {
        var objectId = Guid.NewGuid().ToString();
        request.Headers.TryAddWithoutValidation(ClientPrincipal.Header, Encode(objectId, tenant, roles));
        request.Headers.TryAddWithoutValidation(ClientPrincipal.IdHeader, objectId);
        request.Headers.TryAddWithoutValidation(ClientPrincipal.NameHeader, objectId + "@contoso.example");
        request.Headers.TryAddWithoutValidation(ClientPrincipal.IdentityProviderHeader, "aad");
        return request;
    }
}
