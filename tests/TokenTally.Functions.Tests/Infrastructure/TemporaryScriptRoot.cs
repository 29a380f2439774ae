using TokenTally.Testing;

namespace TokenTally.Functions.Tests.Infrastructure;

/// <summary>A copy of the repository's function.json folders that a test may add to or remove from.</summary>
public sealed class TemporaryScriptRoot : IDisposable
{
    public TemporaryScriptRoot()
    {
        foreach (var function in Directory.EnumerateFiles(RepositoryPaths.Functions, "function.json", SearchOption.AllDirectories))
        {
            var target = System.IO.Path.Combine(Path, System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(function)!));
            Directory.CreateDirectory(target);
            File.Copy(function, System.IO.Path.Combine(target, "function.json"));
        }
    }

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tokentally-functions-" + Guid.NewGuid().ToString("N"));

    public void Write(string function, string json)
    {
        Directory.CreateDirectory(System.IO.Path.Combine(Path, function));
        File.WriteAllText(System.IO.Path.Combine(Path, function, "function.json"), json);
    }

    public void Remove(string function) => Directory.Delete(System.IO.Path.Combine(Path, function), recursive: true);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
