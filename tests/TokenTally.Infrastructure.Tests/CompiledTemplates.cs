using System.Reflection;
using System.Text.Json.Nodes;
using TokenTally.Testing;

[assembly: AssemblyFixture(typeof(TokenTally.Infrastructure.Tests.CompiledTemplates))]

namespace TokenTally.Infrastructure.Tests;

/// <summary>
/// Every template of infra-bicep/ built once per test run with the pinned bicep binary (a build runs the linter too);
/// main.bicep's ARM JSON kept for the tests that read it. The linter does not fail a build on warnings, so the tests read
/// its diagnostics.
/// </summary>
public sealed class CompiledTemplates : IAsyncLifetime
{
    public static string Folder { get; } = Path.Combine(RepositoryPaths.Root, "infra-bicep");

    public static string Bicep
    {
        get
        {
            var pinned = typeof(CompiledTemplates).Assembly.GetCustomAttribute<BicepVersionAttribute>()!;
            return Path.Combine(pinned.PackageRoot, "azure.bicep.commandline.linux-x64", pinned.Version, "tools", "bicep");
        }
    }

    /// <summary>What bicep said about each file (build or build-params), by path relative to infra-bicep/.</summary>
    public Dictionary<string, CompilerRun> Runs { get; } = [];

    private JsonObject? _main;

    /// <summary>main.bicep's ARM JSON; a build that failed fails the test that reads it with the compiler's diagnostics.</summary>
    public JsonObject Main => _main ?? throw new InvalidOperationException($"main.bicep did not build:{Environment.NewLine}{Runs.GetValueOrDefault("main.bicep")?.Diagnostics}");

    public async ValueTask InitializeAsync()
    {
        var files = Directory.EnumerateFiles(Folder, "*.bicep*", SearchOption.AllDirectories).Where(f => f.EndsWith(".bicep", StringComparison.Ordinal) || f.EndsWith(".bicepparam", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var relative = Path.GetRelativePath(Folder, file);
            var build = await ProcessRun.UntilExitAsync(Bicep, [file.EndsWith(".bicepparam", StringComparison.Ordinal) ? "build-params" : "build", file, "--stdout"], Folder, TimeSpan.FromMinutes(2));
            Runs[relative] = new CompilerRun(build.ExitCode, build.StandardError);
            if (relative == "main.bicep" && build.ExitCode == 0)
            {
                _main = JsonNode.Parse(build.StandardOutput)!.AsObject();
            }
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

public sealed record CompilerRun(int ExitCode, string Diagnostics);
