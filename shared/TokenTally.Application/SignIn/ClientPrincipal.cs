using System.Security.Claims;
using System.Text;
using System.Text.Json;

namespace TokenTally.Application.SignIn;

/// <summary>One claim of a client principal: its type (<c>typ</c>) and value (<c>val</c>).</summary>
public sealed record PrincipalClaim(string Type, string Value);

/// <summary>
/// The signed-in principal App Service authentication hands the app in <c>X-MS-CLIENT-PRINCIPAL</c>: base64 of the JSON
/// <c>{"auth_typ", "name_typ", "role_typ", "claims": [{"typ", "val"}]}</c>, beside <c>X-MS-CLIENT-PRINCIPAL-ID</c>,
/// <c>-NAME</c> and <c>-IDP</c>.
/// </summary>
public sealed record ClientPrincipal(string? AuthenticationType, string? NameType, string? RoleType, IReadOnlyList<PrincipalClaim> Claims)
{
    public const string Header = "X-MS-CLIENT-PRINCIPAL";
    public const string IdHeader = "X-MS-CLIENT-PRINCIPAL-ID";
    public const string NameHeader = "X-MS-CLIENT-PRINCIPAL-NAME";
    public const string IdentityProviderHeader = "X-MS-CLIENT-PRINCIPAL-IDP";

    /// <summary>Entra ID puts app roles in <c>roles</c> claims; <c>role_typ</c> names the type the principal uses for them.</summary>
    private const string EntraRolesClaim = "roles";

    private const string ObjectIdClaim = "http://schemas.microsoft.com/identity/claims/objectidentifier";

    /// <summary>Every header App Service authentication sets about the principal: what local mode strips from a request.</summary>
    public static IReadOnlyList<string> Headers { get; } = [Header, IdHeader, NameHeader, IdentityProviderHeader];

    /// <summary>The principal in <paramref name="header"/>; false when it is not base64 of a JSON object of this shape.</summary>
    public static bool TryDecode(string header, out ClientPrincipal? principal)
    {
        principal = null;
        var bytes = new byte[header.Length];
        if (!Convert.TryFromBase64String(header.Trim(), bytes, out var written))
        {
            return false;
        }

        try
        {
            using var json = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 0, written));
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            var claims = new List<PrincipalClaim>();
            if (root.TryGetProperty("claims", out var list))
            {
                if (list.ValueKind != JsonValueKind.Array)
                {
                    return false;
                }

                foreach (var claim in list.EnumerateArray())
                {
                    if (claim.ValueKind == JsonValueKind.Object && TextOf(claim, "typ") is { } type && claim.TryGetProperty("val", out var value))
                    {
                        claims.Add(new PrincipalClaim(type, value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText()));
                    }
                }
            }

            principal = new ClientPrincipal(TextOf(root, "auth_typ"), TextOf(root, "name_typ"), TextOf(root, "role_typ"), claims);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The roles the principal holds: claims of its <c>role_typ</c>, <c>roles</c> (Entra app roles) or the .NET role type.</summary>
    public IEnumerable<string> Roles => Claims
        .Where(c => c.Type == RoleType || c.Type == EntraRolesClaim || c.Type == ClaimTypes.Role)
        .Select(c => c.Value)
        .Distinct(StringComparer.Ordinal);

    /// <summary>The principal's object id (<c>oid</c>), when the claims carry it.</summary>
    public string? ObjectId => ValueOf(ObjectIdClaim) ?? ValueOf("oid");

    /// <summary>The principal's display name: the claim of its <c>name_typ</c>.</summary>
    public string? Name => NameType is null ? null : ValueOf(NameType);

    /// <summary>The first value of a claim of <paramref name="type"/>; null when there is none.</summary>
    public string? ValueOf(string type) => Claims.FirstOrDefault(c => c.Type == type)?.Value;

    private static string? TextOf(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
