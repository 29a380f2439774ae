using System.Text.Json;
using TokenTally.Testing;

namespace TokenTally.Functions.Tests.Infrastructure;

/// <summary>
/// The Functions app as <c>dotnet publish</c> lays it out for the host (functions.metadata, worker.config.json,
/// extensions.json, .azurefunctions/, host.json), published once for the assembly into a temporary folder. The build is
/// done by the time tests run, so this mostly copies. When the publish fails, the tests that read it fail with its output.
/// </summary>
public sealed class PublishedApp : IAsyncLifetime
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(10);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tokentally-publish-" + Guid.NewGuid().ToString("N")[..8]);
    private string? _failure;

    /// <summary>The publish folder.</summary>
    public string Folder => _failure is null ? _folder : throw new InvalidOperationException(_failure);

    public async ValueTask InitializeAsync()
    {
        var result = await ProcessRun.UntilExitAsync(
            "dotnet", ["publish", "functions/TokenTally.Functions", "-c", "Release", "-o", _folder, "-nologo"], RepositoryPaths.Root, PublishTimeout);
        if (result.ExitCode != 0)
        {
            _failure = $"dotnet publish exited with {result.ExitCode}:{Environment.NewLine}{result.Output}";
        }
    }

    public JsonElement ReadJson(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, file)));
        return document.RootElement.Clone();
    }

    public ValueTask DisposeAsync()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}
