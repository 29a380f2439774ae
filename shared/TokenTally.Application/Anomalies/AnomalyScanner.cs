using TokenTally.Core.Anomalies;
using TokenTally.Core.Anomalies.Slices;
using TokenTally.Core.Rollups;

namespace TokenTally.Application.Anomalies;

/// <summary>
/// The anomaly scan of an hour run, per tenant: every series (<see cref="TenantSeriesReader"/>) through the newest hour the
/// run recomputed, each at the sensitivity its feedback leaves it (<see cref="SensitivityFeedback"/>); the anomalies of the
/// window, the <see cref="RecentHours"/> hours up to that hour and any older hour the run recomputed, replace the stored
/// ones of that window. Ids are derived from tenant, series and hour, so a rerun, a retry or a backfill overwrites.
/// </summary>
public sealed class AnomalyScanner(TenantSeriesReader series, AnomalyContributors contributors, AnomalyStore store, TimeProvider time)
{
    /// <summary>How many hours up to the scanned hour a scan stores anomalies for.</summary>
    public const int RecentHours = 48;

    /// <summary>
    /// How close flagged hours must follow each other to be reported as one incident: 6 hours. The detector's default (its
    /// quiet period, chosen on the NAB scoring windows) would fold a new spike into an incident days old, reported at that
    /// incident's first hour, outside the window a scan stores. It groups what is reported; the scores stay the benchmarked ones.
    /// </summary>
    public static readonly TimeSpan IncidentGap = TimeSpan.FromHours(6);

    /// <summary>Scans <paramref name="tenant"/> through the newest of the <paramref name="hours"/> recomputed; returns how many anomalies the window now holds.</summary>
    public async Task<int> ScanAsync(string tenant, IReadOnlyList<DateTimeOffset> hours, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hours);
        if (hours.Count == 0)
        {
            return 0;
        }

        var through = TimeBuckets.HourStart(hours.Max());
        var end = through.AddHours(1);
        var from = TimeBuckets.HourStart(hours.Min()) is var oldest && oldest < end.AddHours(-RecentHours) ? oldest : end.AddHours(-RecentHours);
        from = from < end.AddDays(-TenantSeriesReader.HistoryDays) ? end.AddDays(-TenantSeriesReader.HistoryDays) : from;
        var found = new List<AnomalyDocument>();
        if (await series.ReadAsync(tenant, through, cancellationToken) is { } tenantSeries)
        {
            var feedback = await store.FeedbackAsync(tenant, cancellationToken);
            var now = time.GetUtcNow();
            foreach (var (key, values) in tenantSeries.Series)
            {
                var (falsePositives, expected, confirmed) = feedback.TryGetValue(key.Text, out var said) ? said.Counts : (0, 0, 0);
                var sensitivity = SensitivityFeedback.Sensitivity(AnomalyDetectorOptions.Default.Sensitivity, falsePositives, expected, confirmed);
                var options = AnomalyDetectorOptions.Default with { Sensitivity = sensitivity, IncidentGap = IncidentGap };
                foreach (var anomaly in AnomalyScan.Detect(tenantSeries.Start, TimeSpan.FromHours(1), values, options).Where(a => a.Timestamp >= from && a.Timestamp < end))
                {
                    var drivers = key.Metric == SeriesMetric.Cost
                        ? await contributors.RankAsync(tenant, key, anomaly.Timestamp, rising: anomaly.Observed >= anomaly.Expected, cancellationToken)
                        : [];
                    found.Add(ToDocument(tenant, key, anomaly, sensitivity, drivers, now));
                }
            }
        }

        await store.ReplaceWindowAsync(tenant, from, end, found, cancellationToken);
        return found.Count;
    }

    private static AnomalyDocument ToDocument(string tenant, SeriesKey key, Anomaly anomaly, double sensitivity, IReadOnlyList<Contributor> drivers, DateTimeOffset now) => new(
        key.AnomalyId(tenant, anomaly.Timestamp),
        tenant,
        key.Text,
        SeriesKey.MetricName(key.Metric),
        key.Slice,
        anomaly.Timestamp,
        KindName(anomaly.Kind),
        SeverityName(anomaly.Severity),
        Math.Round(anomaly.Score, 4),
        Math.Round(anomaly.Observed, 6),
        Math.Round(anomaly.Expected, 6),
        Math.Round(Math.Max(0, anomaly.Lower), 6), // every series is a cost, count, rate or size: none goes below 0
        Math.Round(anomaly.Upper, 6),
        Math.Round(anomaly.Deviation, 3),
        Math.Round(sensitivity, 4),
        drivers,
        now);

    /// <summary>The API name of a kind: <c>spike</c> or <c>level_shift</c>.</summary>
    public static string KindName(AnomalyKind kind) => kind == AnomalyKind.LevelShift ? "level_shift" : "spike";

    /// <summary>The API name of a severity: <c>low</c>, <c>medium</c>, <c>high</c> or <c>critical</c>.</summary>
    public static string SeverityName(AnomalySeverity severity) => severity.ToString().ToLowerInvariant();
}
