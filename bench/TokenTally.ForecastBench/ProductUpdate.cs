using System.Diagnostics;
using TokenTally.Core.Anomalies;
using TokenTally.Core.Budgets;
using TokenTally.Core.Forecasting;

namespace TokenTally.ForecastBench;

/// <summary>
/// The hour run's per-series work at scale (issue 13, Must 5): for each series, the anomaly scan
/// (<see cref="AnomalyScan.Detect"/>) plus the forecast update as <c>ForecastUpdate</c> computes it (the 48-hour
/// forecast with its backtest, and the projection of the month under way), timed on one thread and fanned out on
/// every core as the orchestration fans out tenants.
/// </summary>
internal static class ProductUpdate
{
    private const int Hours = 90 * 24;
    private const double TargetSeconds = 30;

    public static void Measure(int count, List<string> report)
    {
        var start = new DateTimeOffset(2026, 9, 3, 0, 0, 0, TimeSpan.Zero);
        var series = Enumerable.Range(0, count).Select(i => new HourlySeries(start, SyntheticSpend.Series(10_000 + i, Hours))).ToList();

        // The history ends on 2 December: the month's projection covers 30 days, the longest a month asks for.
        var month = BudgetPeriod.Recurring(BudgetPeriodKind.Month, TimeZoneInfo.Utc).Containing(series[0].End.AddHours(-1))!;
        var forecaster = new HourlyForecaster();
        foreach (var s in series.Take(10))
        {
            Update(forecaster, s, month);
        }

        var loadBefore = LoadAverage();
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var anomalies = 0;
        var watch = Stopwatch.StartNew();
        foreach (var s in series)
        {
            anomalies += Update(forecaster, s, month);
        }

        watch.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;

        var cpuParallelBefore = process.TotalProcessorTime;
        var parallel = Stopwatch.StartNew();
        Parallel.ForEach(series, s => Update(forecaster, s, month));
        parallel.Stop();
        process.Refresh();
        var cpuParallel = process.TotalProcessorTime - cpuParallelBefore;
        var loadAfter = LoadAverage();

        string Verdict(TimeSpan t) => t.TotalSeconds < TargetSeconds ? "under" : "**over**";
        report.Add($"## Product scale: anomaly scan plus forecast update of {count:N0} series of 90 days hourly ({(long)count * Hours:N0} points)");
        report.Add("");
        report.Add("Per series, what the hour run does for it: `AnomalyScan.Detect` over the 90 days, then the forecast update's two calls, " +
            "`HourlyForecaster.Forecast(series, 48)` (with its backtest) and `ForecastPeriod` for the month under way (UTC, December 2026 from 2 December: 30 days ahead, the longest). " +
            $"Series from `SyntheticSpend` (seeds 10,000 on). Warm-up: 10 series. Target (issue 13, Must 5): under {TargetSeconds:0} s.");
        report.Add("");
        report.Add("| run | wall clock | CPU (the process's, GC included) | vs target |");
        report.Add("|---|---|---|---|");
        report.Add($"| one thread | {watch.Elapsed.TotalSeconds:F2} s ({watch.Elapsed.TotalMilliseconds / count:F1} ms per series) | {cpu.TotalSeconds:F2} s | {Verdict(watch.Elapsed)} |");
        report.Add($"| `Parallel.ForEach` on {Environment.ProcessorCount} cores (as tenants fan out) | {parallel.Elapsed.TotalSeconds:F2} s | {cpuParallel.TotalSeconds:F2} s | {Verdict(parallel.Elapsed)} |");
        report.Add("");
        report.Add($"Anomalies reported (one thread): {anomalies:N0}. Load average before {loadBefore}, after {loadAfter} (the machine is shared: CPU time is the steadier measure).");
        report.Add("");
    }

    private static int Update(HourlyForecaster forecaster, HourlySeries series, PeriodWindow month)
    {
        var values = series.Values as double[] ?? [.. series.Values];
        var found = AnomalyScan.Detect(series.Start, TimeSpan.FromHours(1), values).Count;
        _ = forecaster.Forecast(series, 48);
        _ = forecaster.ForecastPeriod(series, month, TimeZoneInfo.Utc);
        return found;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
