using System.Globalization;

namespace TokenTally.ForecastBench;

/// <summary>One M4 series: its id, training values and the 48 test values that follow them.</summary>
public sealed record M4Series(string Id, double[] Train, double[] Test);

/// <summary>
/// Reads the M4 hourly files laid out as in <c>../shared/bench/m4-hourly</c>: <c>Hourly-train.csv</c> and
/// <c>Hourly-test.csv</c>, a quoted header then one row per series (<c>"H1","605",…</c>), shorter rows padded with
/// empty fields.
/// </summary>
public static class M4HourlyDataset
{
    /// <summary>Reads the series of <paramref name="directory"/>, in the order of the training file.</summary>
    public static IReadOnlyList<M4Series> Load(string directory)
    {
        var train = ReadRows(Path.Combine(directory, "Hourly-train.csv"));
        var test = ReadRows(Path.Combine(directory, "Hourly-test.csv")).ToDictionary(r => r.Id, r => r.Values);
        return [.. train.Select(r => new M4Series(r.Id, r.Values, test[r.Id]))];
    }

    /// <summary>Reads a forecast file with the header <c>id,F1..Fh</c> (the published benchmark forecasts).</summary>
    public static IReadOnlyDictionary<string, double[]> LoadForecasts(string path) =>
        ReadRows(path).ToDictionary(r => r.Id, r => r.Values);

    private static List<(string Id, double[] Values)> ReadRows(string path)
    {
        var rows = new List<(string, double[])>();
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var fields = line.Split(',').Select(f => f.Trim().Trim('"')).ToArray();
            var values = fields.Skip(1).Where(f => f.Length > 0).Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            rows.Add((fields[0], values));
        }

        return rows;
    }
}
