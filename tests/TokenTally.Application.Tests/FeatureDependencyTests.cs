using System.Text.RegularExpressions;
using TokenTally.Testing;

namespace TokenTally.Application.Tests;

/// <summary>The application's feature folders depend on each other one way: no feature reaches back to one that uses it.</summary>
public sealed partial class FeatureDependencyTests
{
    private static readonly string Source = Path.Combine(RepositoryPaths.Root, "shared", "TokenTally.Application");

    [Fact]
    public void NoFeatureDependsOnItselfThroughOthers()
    {
        var graph = Directory.GetDirectories(Source)
            .Select(Path.GetFileName)
            .Where(folder => Directory.EnumerateFiles(Path.Combine(Source, folder!), "*.cs", SearchOption.AllDirectories).Any() && folder is not ("bin" or "obj"))
            .ToDictionary(folder => folder!, folder => Directory.EnumerateFiles(Path.Combine(Source, folder!), "*.cs", SearchOption.AllDirectories)
                .SelectMany(file => FeatureReference().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value))
                .Where(used => used != folder)
                .ToHashSet());

        Assert.Contains("Ingestion", graph.Keys);
        Assert.Contains("Pricing", graph["Ingestion"]);
        var cycle = FindCycle(graph);
        Assert.True(cycle is null, $"Features depend on each other in a circle: {string.Join(" -> ", cycle ?? [])}");
    }

    private static List<string>? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var done = new HashSet<string>();
        var path = new List<string>();

        List<string>? Visit(string feature)
        {
            if (path.IndexOf(feature) is var at and >= 0)
            {
                return [.. path[at..], feature];
            }

            if (!done.Add(feature))
            {
                return null;
            }

            path.Add(feature);
            foreach (var used in graph.GetValueOrDefault(feature) ?? [])
            {
                if (Visit(used) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            return null;
        }

        return graph.Keys.Order(StringComparer.Ordinal).Select(Visit).FirstOrDefault(cycle => cycle is not null);
    }

    [GeneratedRegex(@"TokenTally\.Application\.([A-Z][A-Za-z]+)")]
    private static partial Regex FeatureReference();
}
