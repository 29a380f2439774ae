using System.Reflection;
using TokenTally.Testing;

namespace TokenTally.Demo.Tests;

/// <summary>The demo as <c>run.sh</c> starts it (<c>dotnet TokenTally.Demo.dll</c>): a setting it cannot use stops it with one line.</summary>
public sealed class ProgramTests
{
    private static readonly string Configuration = typeof(ProgramTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
    private static readonly string DemoDll = Path.Combine(RepositoryPaths.Root, "tools", "TokenTally.Demo", "bin", Configuration, "net10.0", "TokenTally.Demo.dll");

    [Theory]
    [InlineData("--TokenTally:Demo:Seed=-1", "TokenTally:Demo:Seed")]
    [InlineData("--TokenTally:Demo:Seed=abc", "TokenTally:Demo:Seed")]
    [InlineData("--TokenTally:Demo:BackfillDays=30", "TokenTally:Demo:BackfillDays")]
    [InlineData("--TokenTally:Demo:LiveCallsPerSecond=fast", "TokenTally:Demo:LiveCallsPerSecond")]
    [InlineData("--TokenTally:Demo:ServerUrl=nowhere", "TokenTally:Demo:ServerUrl")]
    [InlineData("--TokenTally:Demo:EventHubs:FullyQualifiedNamespace=tokentally.servicebus.windows.net", "TokenTally:Demo:EventHubs:EventHubName")]
    [InlineData("--TokenTally:Demo:EventHubs:FullyQualifiedNamespace=https://tokentally.servicebus.windows.net/", "TokenTally:Demo:EventHubs:FullyQualifiedNamespace")]
    public async Task AnInvalidSettingStopsTheDemoWithOneLineNamingIt(string argument, string setting) =>
        AssertStopsNaming(await RunAsync(Path.GetTempPath(), argument), setting);

    [Fact]
    public async Task ItReadsLocalSettingsJsonInItsWorkingDirectoryAsTheServerDoes()
    {
        var folder = Directory.CreateTempSubdirectory("tokentally-demo-settings-");
        try
        {
            await File.WriteAllTextAsync(
                Path.Combine(folder.FullName, "local.settings.json"),
                """{ "IsEncrypted": false, "Values": { "TokenTally__Demo__BackfillDays": "45" } }""",
                TestContext.Current.CancellationToken);

            AssertStopsNaming(await RunAsync(folder.FullName), "TokenTally:Demo:BackfillDays");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static void AssertStopsNaming(ProcessExit run, string setting)
    {
        Assert.True(run.ExitCode == 1, run.ToString());
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("The demo did not start: ", line, StringComparison.Ordinal);
        Assert.Contains(setting, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.StandardOutput, StringComparison.Ordinal);
    }

    private static Task<ProcessExit> RunAsync(string workingDirectory, params string[] arguments) =>
        ProcessRun.UntilExitAsync("dotnet", [DemoDll, .. arguments], workingDirectory, TimeSpan.FromSeconds(60));
}
