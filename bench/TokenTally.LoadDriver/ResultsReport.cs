using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace TokenTally.LoadDriver;

/// <summary>A run's results as markdown (what ran, on what, one row per concurrency level), printed and written to a file.</summary>
internal static class ResultsReport
{
    public static string Markdown(string intro, DateTimeOffset started, string header, IEnumerable<string> rows, string note)
    {
        var columns = header.Count(c => c == '|') - 1;
        var text = new StringBuilder();
        text.AppendLine(intro);
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Started {started:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} logical cores, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}.");
        text.AppendLine();
        text.AppendLine(header);
        text.AppendLine("|" + string.Concat(Enumerable.Repeat("--:|", columns)));
        foreach (var row in rows)
        {
            text.AppendLine(row);
        }

        text.AppendLine();
        text.AppendLine(note);
        return text.ToString();
    }

    /// <summary>The nearest-rank percentile <paramref name="p"/> (0–100) of ascending <paramref name="sorted"/> values; NaN when there are none.</summary>
    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>Prints <paramref name="markdown"/> and writes it to <paramref name="outPath"/>, or to artifacts/bench/&lt;prefix&gt;-&lt;utc time&gt;.md.</summary>
    public static async Task WriteAsync(string markdown, string? outPath, string root, string prefix, DateTimeOffset started, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine(markdown);
        var path = Path.GetFullPath(outPath ?? Path.Combine(root, "artifacts", "bench", $"{prefix}-{started.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.md"));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, markdown, cancellationToken);
        Console.WriteLine($"Written to {path}");
    }
}
