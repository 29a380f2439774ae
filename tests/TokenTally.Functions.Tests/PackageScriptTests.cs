using TokenTally.Functions.Tests.Infrastructure;
using TokenTally.Testing;

namespace TokenTally.Functions.Tests;

/// <summary>scripts/package.sh, run as a deployer would run it on this machine.</summary>
public sealed class PackageScriptTests(PublishedApp published) : IDisposable
{
    private readonly string _artifacts = Path.Combine(Path.GetTempPath(), "tokentally-package-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task WithoutTheHostsEventHubsExtensionOnTheFeedPackagingFailsAndSaysWhichPackageTheFeedLacks()
    {
        // Taken after the publish fixture, whose build this one reuses; the two would otherwise build the same projects at once.
        _ = published.Folder;

        var result = await ProcessRun.UntilExitAsync(
            "bash", ["scripts/package.sh"], RepositoryPaths.Root, TimeSpan.FromMinutes(3), new Dictionary<string, string> { ["TOKENTALLY_ARTIFACTS"] = _artifacts });

        Assert.True(result.ExitCode != 0, $"package.sh succeeded without the Event Hubs extension:{Environment.NewLine}{result.Output}");
        Assert.Contains("the package feed lacks Microsoft.Azure.WebJobs.Extensions.EventHubs", result.Output, StringComparison.Ordinal);
        Assert.Contains("NU1101", result.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_artifacts, "tokentally-functions.zip")), "package.sh left a zip without the Event Hubs extension.");
    }

    public void Dispose()
    {
        if (Directory.Exists(_artifacts))
        {
            Directory.Delete(_artifacts, recursive: true);
        }
    }
}
