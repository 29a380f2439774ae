using System.Globalization;

namespace TokenTally.AnomalyBench;

/// <summary>A published detector's scores on the corpus: per file at NAB's stored threshold, and the subset-optimised totals when the reference lists them.</summary>
internal sealed record PublishedDetector(string Name, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> FileScoresByProfile,
    IReadOnlyDictionary<string, double> SubsetOptimisedByProfile);

/// <summary>Reads <c>reference/published_per_file_scores/&lt;detector&gt;_&lt;profile&gt;_scores.csv</c> and <c>reference/subset_reference_scores.csv</c>.</summary>
internal static class PublishedScores
{
    public static IReadOnlyList<PublishedDetector> Load(string directory, IReadOnlyList<string> profiles)
    {
        var reference = Path.Combine(directory, "reference");
        var perFile = Path.Combine(reference, "published_per_file_scores");
        if (!Directory.Exists(perFile))
        {
            return [];
        }

        var optimised = new Dictionary<(string, string), double>();
        var subsetFile = Path.Combine(reference, "subset_reference_scores.csv");
        if (File.Exists(subsetFile))
        {
            foreach (var cells in File.ReadLines(subsetFile).Skip(1).Select(line => line.Split(',')))
            {
                optimised[(cells[0], cells[4])] = double.Parse(cells[10], CultureInfo.InvariantCulture);
            }
        }

        var suffix = $"_{profiles[0]}_scores.csv";
        return [.. Directory.EnumerateFiles(perFile, "*" + suffix)
            .Select(path => Path.GetFileName(path)[..^suffix.Length])
            .Order(StringComparer.Ordinal)
            .Select(name => new PublishedDetector(
                name,
                profiles.ToDictionary(p => p, p => (IReadOnlyDictionary<string, double>)File.ReadLines(Path.Combine(perFile, $"{name}_{p}_scores.csv"))
                    .Skip(1)
                    .Select(line => line.Split(','))
                    .ToDictionary(cells => cells[2], cells => double.Parse(cells[4], CultureInfo.InvariantCulture), StringComparer.Ordinal)),
                profiles.Where(p => optimised.ContainsKey((name, p))).ToDictionary(p => p, p => optimised[(name, p)])))];
    }
}
