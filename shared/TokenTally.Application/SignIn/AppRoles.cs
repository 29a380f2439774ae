namespace TokenTally.Application.SignIn;

/// <summary>What a signed-in principal may do, from the highest TokenTally app role it holds.</summary>
public enum SignInRole
{
    /// <summary>None of the app roles: signed in, but may do nothing.</summary>
    None = 0,

    /// <summary><see cref="AppRoles.Viewer"/>: reads its tenant, as a <c>read:tenant</c> key does.</summary>
    Viewer = 1,

    /// <summary><see cref="AppRoles.Editor"/>: reads its tenant and manages its budgets, channels and alerts.</summary>
    Editor = 2,

    /// <summary><see cref="AppRoles.Admin"/>: everything the admin key may do, and reads its tenant when it has one.</summary>
    Admin = 3,
}

/// <summary>The Entra ID app roles (the <c>value</c> of each role in the app registration's manifest) TokenTally reads.</summary>
public static class AppRoles
{
    public const string Admin = "TokenTally.Admin";
    public const string Editor = "TokenTally.Editor";
    public const string Viewer = "TokenTally.Viewer";

    /// <summary>The highest TokenTally role among <paramref name="roles"/> (names compared exactly, as Entra issues them).</summary>
    public static SignInRole HighestOf(IEnumerable<string> roles) => roles.Aggregate(SignInRole.None, (highest, role) => role switch
    {
        Admin => SignInRole.Admin,
        Editor when highest < SignInRole.Editor => SignInRole.Editor,
        Viewer when highest < SignInRole.Viewer => SignInRole.Viewer,
        _ => highest,
    });
}
