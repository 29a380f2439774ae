using System.Globalization;

namespace TokenTally.Core.Anomalies.Evaluation;

/// <summary>
/// Reads NAB's two-column CSVs: the data files (<c>timestamp,value</c>) and detectors' score files
/// (<c>timestamp,anomaly_score</c>), with timestamps as <c>YYYY-MM-DD HH:MM:SS</c> in UTC.
/// </summary>
public static class NabSeriesCsv
{
    /// <summary>Reads every row after the header, in file order.</summary>
    /// <param name="reader">The CSV text.</param>
    /// <exception cref="FormatException">A row does not have a timestamp and a number.</exception>
    public static (DateTime[] Timestamps, double[] Values) Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var timestamps = new List<DateTime>();
        var values = new List<double>();
        _ = reader.ReadLine();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var comma = line.IndexOf(',', StringComparison.Ordinal);
            if (comma < 0)
            {
                throw new FormatException($"Row {timestamps.Count + 2} has no comma: '{line}'.");
            }

            // Score files from some detectors have further columns; the second column is the value or the score.
            var end = line.IndexOf(',', comma + 1);
            timestamps.Add(ParseTimestamp(line.AsSpan(0, comma)));
            values.Add(double.Parse(line.AsSpan(comma + 1, (end < 0 ? line.Length : end) - comma - 1), NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        return ([.. timestamps], [.. values]);
    }

    /// <summary>Parses a NAB timestamp, with or without fractional seconds, as UTC.</summary>
    /// <param name="text">For example <c>2014-02-26 13:45:00</c> or <c>2014-02-26 13:45:00.000000</c>.</param>
    public static DateTime ParseTimestamp(ReadOnlySpan<char> text) =>
        DateTime.ParseExact(text, ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.ffffff"], CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}
