namespace TokenTally.Application.Projects;

/// <summary>What a project key may do. A key embedded in an app needs <see cref="Ingest"/> only, which reads nothing.</summary>
[Flags]
public enum KeyScopes
{
    None = 0,

    /// <summary><c>ingest</c>: send call records for the key's own project.</summary>
    Ingest = 1,

    /// <summary><c>read:project</c>: read the key's own project: its calls and costs.</summary>
    ReadProject = 2,

    /// <summary><c>read:tenant</c>: read every project of the key's tenant, and tenant-wide figures (unpriced calls, price overrides).</summary>
    ReadTenant = 4,
}

public static class KeyScopeNames
{
    public const string Ingest = "ingest";
    public const string ReadProject = "read:project";
    public const string ReadTenant = "read:tenant";

    public static IReadOnlyList<string> All { get; } = [Ingest, ReadProject, ReadTenant];

    /// <summary>The scopes a key gets when none are asked for: sending, not reading.</summary>
    public static IReadOnlyList<string> Default { get; } = [Ingest];

    public static bool TryParse(string name, out KeyScopes scope)
    {
        scope = name switch
        {
            Ingest => KeyScopes.Ingest,
            ReadProject => KeyScopes.ReadProject,
            ReadTenant => KeyScopes.ReadTenant,
            _ => KeyScopes.None,
        };
        return scope != KeyScopes.None;
    }

    public static KeyScopes Parse(IEnumerable<string> names) =>
        names.Aggregate(KeyScopes.None, (all, name) => TryParse(name, out var scope) ? all | scope : all);
}
