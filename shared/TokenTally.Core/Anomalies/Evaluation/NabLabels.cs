using System.Text.Json;

namespace TokenTally.Core.Anomalies.Evaluation;

/// <summary>Reads NAB's windows file (<c>combined_windows.json</c>): per file, a list of <c>[start, end]</c> timestamp pairs.</summary>
public static class NabLabels
{
    /// <summary>The windows of every file, as inclusive UTC timestamp ranges, keyed by <c>subset/file.csv</c>.</summary>
    /// <param name="json">The windows file's text.</param>
    /// <exception cref="JsonException">The text is not a windows file.</exception>
    public static IReadOnlyDictionary<string, IReadOnlyList<(DateTime Start, DateTime End)>> ParseWindows(string json)
    {
        var raw = JsonSerializer.Deserialize<Dictionary<string, string[][]>>(json)
            ?? throw new JsonException("The windows file is empty.");
        return raw.ToDictionary(
            pair => pair.Key,
            pair => (IReadOnlyList<(DateTime, DateTime)>)[.. pair.Value.Select(w => w.Length == 2
                ? (NabSeriesCsv.ParseTimestamp(w[0]), NabSeriesCsv.ParseTimestamp(w[1]))
                : throw new JsonException($"A window of {pair.Key} does not have two ends."))],
            StringComparer.Ordinal);
    }

    /// <summary>Turns timestamp windows into row windows of a file whose rows have the given timestamps.</summary>
    /// <param name="timestamps">The file's timestamps, ascending.</param>
    /// <param name="windows">The windows; their ends must be timestamps of the file.</param>
    /// <exception cref="ArgumentException">A window's end is not a timestamp of the file.</exception>
    public static IReadOnlyList<NabWindow> ToRows(IReadOnlyList<DateTime> timestamps, IEnumerable<(DateTime Start, DateTime End)> windows)
    {
        ArgumentNullException.ThrowIfNull(timestamps);
        ArgumentNullException.ThrowIfNull(windows);
        var index = new Dictionary<DateTime, int>(timestamps.Count);
        for (var i = 0; i < timestamps.Count; i++)
        {
            index.TryAdd(timestamps[i], i);
        }

        return [.. windows.Select(w => index.TryGetValue(w.Start, out var first) && index.TryGetValue(w.End, out var last)
            ? new NabWindow(first, last)
            : throw new ArgumentException($"The window {w.Start:O}..{w.End:O} does not start and end on rows of the file.", nameof(windows)))];
    }
}
