using TokenTally.Core.Anomalies.Evaluation;

namespace TokenTally.AnomalyBench;

/// <summary>One NAB data file: its name, timestamps, values and labelled windows.</summary>
internal sealed record NabSeries(string Name, DateTime[] Timestamps, double[] Values, IReadOnlyList<NabWindow> Windows)
{
    public string Subset => Name[..Name.IndexOf('/', StringComparison.Ordinal)];

    /// <summary>The series' step: the median gap between consecutive timestamps.</summary>
    public TimeSpan Step
    {
        get
        {
            var gaps = new long[Timestamps.Length - 1];
            for (var i = 1; i < Timestamps.Length; i++)
            {
                gaps[i - 1] = (Timestamps[i] - Timestamps[i - 1]).Ticks;
            }

            Array.Sort(gaps);
            return TimeSpan.FromTicks(gaps[gaps.Length / 2]);
        }
    }
}

/// <summary>Reads a NAB-layout directory: <c>labels/combined_windows.json</c> and <c>data/&lt;subset&gt;/&lt;file&gt;.csv</c>.</summary>
internal static class NabCorpus
{
    public static IReadOnlyList<NabSeries> Load(string directory)
    {
        var windows = NabLabels.ParseWindows(File.ReadAllText(Path.Combine(directory, "labels", "combined_windows.json")));
        return [.. windows.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair =>
        {
            using var reader = File.OpenText(Path.Combine(directory, "data", pair.Key));
            var (timestamps, values) = NabSeriesCsv.Read(reader);
            return new NabSeries(pair.Key, timestamps, values, NabLabels.ToRows(timestamps, pair.Value));
        })];
    }
}
