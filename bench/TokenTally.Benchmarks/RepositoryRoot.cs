namespace TokenTally.Benchmarks;

/// <summary>Finds the repository (the folder holding TokenTally.slnx) from the current or the output folder.</summary>
public static class RepositoryRoot
{
    public static string Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "TokenTally.slnx")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("TokenTally.slnx not found above the current or the output folder; run from the repository.");
    }
}
