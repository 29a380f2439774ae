using System.Globalization;
using TokenTally.Core.Anomalies.Evaluation;

namespace TokenTally.Core.Tests.Anomalies.Evaluation;

/// <summary>
/// The NAB subset shipped beside the repository (<c>../shared/bench/nab</c>, or <c>TOKENTALLY_NAB_DIR</c>): its windows,
/// the Numenta detector's published per-row scores, and NAB's published per-file scores.
/// </summary>
internal static class NabReferenceData
{
    public static string Directory { get; } = Locate();

    public static IReadOnlyDictionary<string, IReadOnlyList<(DateTime Start, DateTime End)>> Windows { get; } =
        NabLabels.ParseWindows(File.ReadAllText(Path.Combine(Directory, "labels", "combined_windows.json")));

    public static int WindowCount => Windows.Values.Sum(w => w.Count);

    /// <summary>Every file of the windows file with the Numenta detector's published scores.</summary>
    public static IReadOnlyList<NabFile> NumentaFiles() =>
        [.. Windows.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair =>
        {
            using var reader = File.OpenText(Path.Combine(Directory, "reference", "numenta_anomaly_scores", pair.Key));
            var (timestamps, scores) = NabSeriesCsv.Read(reader);
            return new NabFile(pair.Key, scores, NabLabels.ToRows(timestamps, pair.Value));
        })];

    /// <summary>A published per-file score CSV: file name to (threshold, score).</summary>
    public static IReadOnlyDictionary<string, (double Threshold, double Score)> PublishedFileScores(string detector, string profile) =>
        File.ReadLines(Path.Combine(Directory, "reference", "published_per_file_scores", $"{detector}_{profile}_scores.csv"))
            .Skip(1)
            .Select(line => line.Split(','))
            .ToDictionary(
                cells => cells[2],
                cells => (double.Parse(cells[3], CultureInfo.InvariantCulture), double.Parse(cells[4], CultureInfo.InvariantCulture)),
                StringComparer.Ordinal);

    /// <summary>A row of <c>subset_reference_scores.csv</c>: the subset-optimised threshold, raw and normalised score.</summary>
    public static (double Threshold, double Raw, double Nab) SubsetOptimised(string detector, string profile) =>
        File.ReadLines(Path.Combine(Directory, "reference", "subset_reference_scores.csv"))
            .Select(line => line.Split(','))
            .Where(cells => cells[0] == detector && cells[4] == profile)
            .Select(cells => (double.Parse(cells[8], CultureInfo.InvariantCulture), double.Parse(cells[9], CultureInfo.InvariantCulture), double.Parse(cells[10], CultureInfo.InvariantCulture)))
            .Single();

    private static string Locate()
    {
        if (Environment.GetEnvironmentVariable("TOKENTALLY_NAB_DIR") is { Length: > 0 } configured)
        {
            return configured;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TokenTally.slnx")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "bench", "nab"));
            }
        }

        throw new InvalidOperationException("The repository root (TokenTally.slnx) was not found above the test's directory.");
    }
}
