namespace TokenTally.Testing;

/// <summary>Finds the repository root (the folder holding TokenTally.slnx) from the test binaries.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string NodeModules => Path.Combine(Root, "node_modules");

    /// <summary>Local mode's entry assembly in the build output of <paramref name="configuration"/>.</summary>
    public static string LocalServerDll(string configuration) => Path.Combine(Root, "functions", "TokenTally.Local", "bin", configuration, "net10.0", "TokenTally.Local.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TokenTally.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No TokenTally.slnx above {AppContext.BaseDirectory}.");
    }
}
