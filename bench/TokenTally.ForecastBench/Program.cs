using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using TokenTally.Core.Budgets;
using TokenTally.Core.Forecasting;
using TokenTally.ForecastBench;
using TokenTally.Testing;

// Evaluates the product's forecaster (TokenTally.Core.Forecasting.HourlyForecaster) on the M4 hourly files in the
// directory given as the first argument, beside the M4 benchmarks, and with --speed N times it on N synthetic series
// of 90 days, and with --product N times the hour run's per-series work (anomaly scan plus forecast update) on N series
// of 90 days. Writes bench/results/forecasts.md (or --out FILE). --tuning scores on the last 48 training hours instead
// of the test part, for comparing design choices without looking at the test part.
//   dotnet run -c Release --project bench/TokenTally.ForecastBench -- ../shared/bench/m4-hourly --speed 1000 --product 1000
var positional = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || !args[i - 1].StartsWith("--", StringComparison.Ordinal))).ToList();
string? Option(string name)
{
    var i = Array.IndexOf(args, "--" + name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

var dataDirectory = positional.FirstOrDefault();
var speedSeries = int.Parse(Option("speed") ?? "0", CultureInfo.InvariantCulture);
var productSeries = int.Parse(Option("product") ?? "0", CultureInfo.InvariantCulture);
var output = Option("out") ?? Path.Combine(RepositoryPaths.Root, "bench", "results", "forecasts.md");
if (dataDirectory is null && speedSeries == 0 && productSeries == 0)
{
    Console.Error.WriteLine("Usage: TokenTally.ForecastBench <m4-hourly data directory> [--speed N] [--product N] [--out FILE]");
    return 2;
}

var report = new List<string>
{
    "<!-- Written by bench/TokenTally.ForecastBench; re-run it rather than editing the numbers. -->",
    "# Forecasting benchmark",
    "",
    $"Run {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC: `dotnet run -c Release --project bench/TokenTally.ForecastBench -- {string.Join(' ', args)}`.",
    $"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, load average before the run {LoadAverage()}.",
    "",
};

if (dataDirectory is not null)
{
    EvaluateM4(dataDirectory, args.Contains("--tuning"), report);
}

if (speedSeries > 0)
{
    MeasureSpeed(speedSeries, report);
}

if (productSeries > 0)
{
    ProductUpdate.Measure(productSeries, report);
}

// Hand-written notes below the marker in an existing results file survive a re-run.
const string NotesMarker = "<!-- notes: kept when the benchmark rewrites this file -->";
var notes = File.Exists(output) ? File.ReadAllLines(output).SkipWhile(l => l != NotesMarker).ToList() : [];
report.AddRange(notes.Count > 0 ? notes : [NotesMarker]);
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
File.WriteAllLines(output, report);
Console.WriteLine(string.Join(Environment.NewLine, report));
Console.WriteLine($"Wrote {output}");
return 0;

static void EvaluateM4(string directory, bool tuning, List<string> report)
{
    const int Horizon = 48;
    const int Period = 24;
    var series = M4HourlyDataset.Load(directory);
    if (tuning)
    {
        // Design choices are compared on the last 48 training hours of each series, so the test part stays unseen.
        series = [.. series.Select(s => new M4Series(s.Id, s.Train[..^Horizon], s.Train[^Horizon..]))];
        report.Add("**Tuning run: the last 48 training hours of each series stand in for the test part; the references below do not apply.**");
        report.Add("");
    }

    var forecaster = new HourlyForecaster();
    var scores = new Dictionary<string, List<(double SMape, double Mase)>>
    {
        ["TokenTally"] = [], ["Naive2"] = [], ["sNaive"] = [], ["Naive1"] = [], ["sNaive (weekly, 168 h)"] = [],
    };
    int inside80 = 0, inside95 = 0, cells = 0, dayInside80 = 0, dayInside95 = 0, days = 0, totalInside80 = 0, totalInside95 = 0;
    var perSeriesMs = new List<double>();
    var backtests = new List<BacktestAccuracy>();
    var total = Stopwatch.StartNew();
    foreach (var s in series)
    {
        var watch = Stopwatch.StartNew();
        var forecast = forecaster.Forecast(s.Train, Horizon);
        watch.Stop();
        perSeriesMs.Add(watch.Elapsed.TotalMilliseconds);
        backtests.Add(forecast.Backtest);
        var point = forecast.Hours.Select(h => h.Value).ToArray();
        for (var h = 0; h < Horizon; h++)
        {
            var interval = forecast.Hours[h];
            inside80 += s.Test[h] >= interval.Lower80 && s.Test[h] <= interval.Upper80 ? 1 : 0;
            inside95 += s.Test[h] >= interval.Lower95 && s.Test[h] <= interval.Upper95 ? 1 : 0;
            cells++;
        }

        Score("TokenTally", point);
        Score("Naive2", M4Benchmarks.Naive2(s.Train, Horizon, Period));
        Score("sNaive", M4Benchmarks.SeasonalNaive(s.Train, Horizon, Period));
        Score("Naive1", M4Benchmarks.Naive1(s.Train, Horizon));
        Score("sNaive (weekly, 168 h)", M4Benchmarks.SeasonalNaive(s.Train, Horizon, 168));

        // The same series as if it ended at midnight UTC: the two following days and their total, as a budget period.
        var end = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
        var timed = new HourlySeries(end.AddHours(-s.Train.Length), s.Train);
        var projection = forecaster.ForecastPeriod(timed, new PeriodWindow(end, end.AddHours(Horizon)), TimeZoneInfo.Utc);
        for (var d = 0; d < projection.Days.Count; d++)
        {
            var actual = s.Test.Skip(24 * d).Take(24).Sum();
            var interval = projection.Days[d].Total;
            dayInside80 += actual >= interval.Lower80 && actual <= interval.Upper80 ? 1 : 0;
            dayInside95 += actual >= interval.Lower95 && actual <= interval.Upper95 ? 1 : 0;
            days++;
        }

        var actualTotal = s.Test.Sum();
        totalInside80 += actualTotal >= projection.Total.Lower80 && actualTotal <= projection.Total.Upper80 ? 1 : 0;
        totalInside95 += actualTotal >= projection.Total.Lower95 && actualTotal <= projection.Total.Upper95 ? 1 : 0;

        void Score(string method, double[] f) =>
            scores[method].Add((ForecastAccuracy.SymmetricMape(s.Test, f), ForecastAccuracy.Mase(s.Test, f, s.Train, Period)));
    }

    total.Stop();
    (double SMape, double Mase) Mean(string method) => (scores[method].Average(x => x.SMape), scores[method].Average(x => x.Mase));
    var naive2 = Mean("Naive2");
    double Owa((double SMape, double Mase) m) => ForecastAccuracy.Owa(m.SMape, m.Mase, naive2.SMape, naive2.Mase);

    var referencePath = Path.Combine(directory, "reference", "subset_reference_scores.csv");
    var reference = File.Exists(referencePath)
        ? File.ReadLines(referencePath).Skip(1).Select(Csv.Split).ToDictionary(f => f[0], f => (SMape: Csv.Number(f[3]), Mase: Csv.Number(f[4]), Owa: Csv.Number(f[5])))
        : [];
    var ours = Mean("TokenTally");
    report.Add($"## M4 hourly: {series.Count} series ({series[0].Id}–{series[^1].Id}), horizon {Horizon}");
    report.Add("");
    report.Add($"Data: `{directory}`. OWA is relative to Naive2 computed by this harness (`M4Benchmarks.Naive2`) on the same series, from unrounded means.");
    report.Add("");
    report.Add("| method | sMAPE | MASE | OWA | reference for these series (sMAPE / MASE / OWA) |");
    report.Add("|---|---|---|---|---|");
    report.Add($"| **TokenTally `HourlyForecaster`** | **{ours.SMape:F3}** | **{ours.Mase:F3}** | **{Owa(ours):F3}** | |");
    foreach (var (method, name) in new[] { ("sNaive", "sNaive"), ("Naive2", "Naive2"), ("Naive1", "Naive1"), ("sNaive (weekly, 168 h)", "") })
    {
        var m = Mean(method);
        var r = reference.TryGetValue(name, out var found) ? $"{found.SMape:F3} / {found.Mase:F3} / {found.Owa:F3}" : "n/a";
        report.Add($"| {method} (this harness) | {m.SMape:F3} | {m.Mase:F3} | {Owa(m):F3} | {r} |");
    }

    var published = Path.Combine(directory, "reference", "benchmark-forecasts");
    if (Directory.Exists(published))
    {
        foreach (var file in Directory.GetFiles(published, "*.csv").Order(StringComparer.Ordinal))
        {
            var forecasts = M4HourlyDataset.LoadForecasts(file);
            var scored = series.Where(s => forecasts.ContainsKey(s.Id))
                .Select(s => (ForecastAccuracy.SymmetricMape(s.Test, forecasts[s.Id]), ForecastAccuracy.Mase(s.Test, forecasts[s.Id], s.Train, Period)))
                .ToList();
            var m = (scored.Average(x => x.Item1), scored.Average(x => x.Item2));
            var name = Path.GetFileNameWithoutExtension(file);
            var r = reference.TryGetValue(name, out var found) ? $"{found.SMape:F3} / {found.Mase:F3} / {found.Owa:F3}" : "n/a";
            report.Add($"| {name} (published forecasts, scored here) | {m.Item1:F3} | {m.Item2:F3} | {Owa(m):F3} | {r} |");
        }
    }

    report.Add("");
    report.Add("Published M4 scores on all 414 hourly series (from `reference/published_scores.csv`; not the same series, for context):");
    report.Add("");
    report.Add("| method | sMAPE | MASE | OWA |");
    report.Add("|---|---|---|---|");
    var publishedPath = Path.Combine(directory, "reference", "published_scores.csv");
    if (File.Exists(publishedPath))
    {
        var rows = File.ReadLines(publishedPath).Skip(1).Select(Csv.Split).ToList();
        foreach (var id in new[] { "Naive2", "sNaive", "SES", "Theta", "Com", "238", "118", "237" })
        {
            var row = rows.FirstOrDefault(r => r[0] == id);
            if (row is not null)
            {
                var label = row[1] == "benchmark" ? (id == "Com" ? "Comb (SES, Holt, Damped)" : id) : $"submission {id} ({row[2]})";
                report.Add($"| {label} | {Csv.Number(row[5]):F3} | {Csv.Number(row[6]):F3} | {Csv.Number(row[7]):F3} |");
            }
        }
    }

    perSeriesMs.Sort();
    report.Add("");
    report.Add("Prediction intervals on the test hours (calibrated on each series' own rolling-origin backtest, never on the test part):");
    report.Add("");
    report.Add("| interval | nominal | hourly values | daily sums (2 per series) | 48-hour totals |");
    report.Add("|---|---|---|---|---|");
    report.Add($"| 80 % | 0.80 | {(double)inside80 / cells:F3} ({cells} hours) | {(double)dayInside80 / days:F3} ({days} days) | {(double)totalInside80 / series.Count:F3} ({series.Count}) |");
    report.Add($"| 95 % | 0.95 | {(double)inside95 / cells:F3} | {(double)dayInside95 / days:F3} | {(double)totalInside95 / series.Count:F3} |");
    report.Add("");
    report.Add($"The model's own backtest on the training part (what the product reports as the accuracy of the model in use), averaged over the series: "
        + $"{backtests.Average(b => b.Origins):F1} origins, MASE {backtests.Where(b => b.Mase is not null).Average(b => b.Mase!.Value):F3}, "
        + $"sMAPE {backtests.Where(b => b.SymmetricMape is not null).Average(b => b.SymmetricMape!.Value):F3}, "
        + $"coverage {backtests.Where(b => b.Coverage80 is not null).Average(b => b.Coverage80!.Value):F3} (80 %) and {backtests.Where(b => b.Coverage95 is not null).Average(b => b.Coverage95!.Value):F3} (95 %).");
    report.Add("");
    report.Add($"Time: {total.Elapsed.TotalSeconds:F1} s in all (hourly forecast, period projection and the benchmarks); the hourly forecast with its intervals and backtest took {perSeriesMs.Average():F2} ms per series on average (median {perSeriesMs[perSeriesMs.Count / 2]:F2} ms, max {perSeriesMs[^1]:F2} ms; the first includes JIT), one thread.");
    report.Add("");
}

static void MeasureSpeed(int count, List<string> report)
{
    const int Hours = 90 * 24;
    var series = Enumerable.Range(0, count).Select(i => SyntheticSpend.Series(i, Hours)).ToList();
    var forecaster = new HourlyForecaster();
    foreach (var s in series.Take(20))
    {
        forecaster.Forecast(s, 48); // warm-up, so tiered JIT reaches optimised code
    }

    var times = new List<double>(count);
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    foreach (var s in series)
    {
        var one = Stopwatch.StartNew();
        forecaster.Forecast(s, 48);
        times.Add(one.Elapsed.TotalMilliseconds);
    }

    watch.Stop();
    var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
    var parallel = Stopwatch.StartNew();
    Parallel.ForEach(series, s => forecaster.Forecast(s, 48));
    parallel.Stop();

    var start = new DateTimeOffset(2026, 9, 3, 0, 0, 0, TimeSpan.Zero);
    var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    var month = new PeriodWindow(new DateTimeOffset(2026, 11, 30, 23, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 31, 23, 0, 0, TimeSpan.Zero));
    var periodCount = Math.Min(count, 100);
    var periodWatch = Stopwatch.StartNew();
    foreach (var s in series.Take(periodCount))
    {
        forecaster.ForecastPeriod(new HourlySeries(start, s), month, zone);
    }

    periodWatch.Stop();
    times.Sort();
    report.Add($"## Speed: {count:N0} synthetic series of 90 days hourly ({Hours:N0} points), horizon 48");
    report.Add("");
    report.Add("Series from `SyntheticSpend` (daily and weekly cycles, trend, noise, spikes, some sparse with zero hours). Each forecast includes the backtest that calibrates its intervals. Warm-up: 20 forecasts before timing.");
    report.Add("");
    report.Add("| measure | result |");
    report.Add("|---|---|");
    report.Add($"| one thread, all {count:N0} series | {watch.Elapsed.TotalSeconds:F2} s wall clock, {cpu.TotalSeconds:F2} s of CPU (the process's, GC included) |");
    report.Add($"| per series (one thread) | mean {times.Average():F2} ms, median {times[times.Count / 2]:F2} ms, p95 {times[(int)(0.95 * (times.Count - 1))]:F2} ms, max {times[^1]:F2} ms |");
    report.Add($"| `Parallel.ForEach` on {Environment.ProcessorCount} cores, all {count:N0} series | {parallel.Elapsed.TotalSeconds:F2} s |");
    report.Add($"| month-end projection (`ForecastPeriod`, December 2026 in Europe/Berlin from 2 December, 90 days of history), {periodCount} series, one thread | {periodWatch.Elapsed.TotalMilliseconds / periodCount:F1} ms per series |");
    report.Add("");
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

/// <summary>Splits a CSV line with double-quoted fields.</summary>
internal static class Csv
{
    public static string[] Split(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        fields.Add(current.ToString());
        return [.. fields];
    }

    public static double Number(string field) => double.Parse(field, CultureInfo.InvariantCulture);
}
