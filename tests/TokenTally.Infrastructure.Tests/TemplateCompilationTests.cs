using System.Text.Json.Nodes;

namespace TokenTally.Infrastructure.Tests;

/// <summary>The templates as the pinned compiler sees them: every file builds with no finding at all.</summary>
public sealed class TemplateCompilationTests(CompiledTemplates compiled)
{
    [Fact]
    public void EveryTemplateAndTheParametersFileBuildWithoutAnyErrorOrWarning()
    {
        Assert.Contains("main.bicep", compiled.Runs.Keys);
        Assert.Contains("main.bicepparam", compiled.Runs.Keys);
        Assert.True(compiled.Runs.Count >= 9, $"only {compiled.Runs.Count} templates found");
        Assert.All(compiled.Runs, run =>
        {
            Assert.True(run.Value.ExitCode == 0, $"{run.Key}: exit {run.Value.ExitCode}{Environment.NewLine}{run.Value.Diagnostics}");
            Assert.True(string.IsNullOrWhiteSpace(run.Value.Diagnostics), $"{run.Key}:{Environment.NewLine}{run.Value.Diagnostics}");
        });
    }

    [Fact]
    public void TheLinterConfigurationRaisesEveryRuleItNamesToError()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(CompiledTemplates.Folder, "bicepconfig.json")))!;
        var rules = config["analyzers"]!["core"]!["rules"]!.AsObject();

        Assert.True(rules.Count >= 30, $"{rules.Count} rules");
        Assert.All(rules, rule => Assert.Equal("error", (string?)rule.Value!["level"]));
    }

    [Fact]
    public void NoTemplateUsesARegistryModule()
    {
        foreach (var file in Directory.EnumerateFiles(CompiledTemplates.Folder, "*.bicep", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain("br/public", File.ReadAllText(file), StringComparison.Ordinal);
            Assert.DoesNotContain("br:", File.ReadAllText(file), StringComparison.Ordinal);
        }
    }
}
