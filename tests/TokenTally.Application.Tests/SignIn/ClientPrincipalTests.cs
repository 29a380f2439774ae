using System.Text;
using TokenTally.Application.SignIn;

namespace TokenTally.Application.Tests.SignIn;

/// <summary>The client principal App Service authentication sets, decoded; the app roles read from it; the sign-in settings checked.</summary>
public sealed class ClientPrincipalTests
{
    [Fact]
    public void APrincipalAsAppServiceWritesItGivesItsRolesIdNameAndOtherClaims()
    {
        var header = SignedInPrincipals.Encode("0f3c-oid", "acme", AppRoles.Viewer, AppRoles.Editor);

        Assert.True(ClientPrincipal.TryDecode(header, out var principal));

        Assert.Equal("aad", principal!.AuthenticationType);
        Assert.Equal([AppRoles.Viewer, AppRoles.Editor], principal.Roles);
        Assert.Equal("0f3c-oid", principal.ObjectId);
        Assert.Equal("Ada 0f3c-oid", principal.Name);
        Assert.Equal("acme", principal.ValueOf(SignedInPrincipals.TenantClaim));
    }

    [Fact]
    public void RolesUnderThePrincipalsOwnRoleTypeCountAndNumericValuesAreKeptAsText()
    {
        var json = """{"auth_typ":"aad","role_typ":"role","claims":[{"typ":"role","val":"TokenTally.Admin"},{"typ":"level","val":3},{"typ":"groups","val":"TokenTally.Admin-lookalike"}]}""";

        Assert.True(ClientPrincipal.TryDecode(Convert.ToBase64String(Encoding.UTF8.GetBytes(json)), out var principal));

        Assert.Equal([AppRoles.Admin], principal!.Roles);
        Assert.Equal("3", principal.ValueOf("level"));
        Assert.Null(principal.Name);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("W10=")]
    [InlineData("eyJjbGFpbXMiOiJub3QgYSBsaXN0In0=")]
    [InlineData("e30K}")]
    public void AHeaderThatIsNotBase64OfAPrincipalObjectIsRefused(string header) =>
        Assert.False(ClientPrincipal.TryDecode(header, out _));

    [Theory]
    [InlineData(SignInRole.None)]
    [InlineData(SignInRole.Viewer, AppRoles.Viewer)]
    [InlineData(SignInRole.Editor, AppRoles.Viewer, AppRoles.Editor)]
    [InlineData(SignInRole.Admin, AppRoles.Admin, AppRoles.Viewer)]
    [InlineData(SignInRole.Admin, AppRoles.Editor, AppRoles.Admin)]
    [InlineData(SignInRole.None, "tokentally.admin", "TokenTally.Admins", "Admin")]
    public void TheHighestAppRoleDecidesAndNamesMatchExactly(SignInRole expected, params string[] roles) =>
        Assert.Equal(expected, AppRoles.HighestOf(roles));

    [Fact]
    public void TheTenantClaimAndADefaultTenantExcludeEachOtherAndTheDefaultMustBeATenantName()
    {
        var validator = new EntraSignInOptionsValidator();

        var both = validator.Validate(null, new EntraSignInOptions { Enabled = true, TenantClaim = "tid", DefaultTenant = "acme" });
        var badName = validator.Validate(null, new EntraSignInOptions { Enabled = true, DefaultTenant = "Acme Corp" });

        Assert.Contains("TokenTally:Auth:Entra:TenantClaim and TokenTally:Auth:Entra:DefaultTenant exclude each other", both.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("TokenTally:Auth:Entra:DefaultTenant must be a tenant name", badName.FailureMessage, StringComparison.Ordinal);
        Assert.True(validator.Validate(null, new EntraSignInOptions { Enabled = true, DefaultTenant = "acme" }).Succeeded);
        Assert.True(validator.Validate(null, new EntraSignInOptions()).Succeeded);
    }
}
