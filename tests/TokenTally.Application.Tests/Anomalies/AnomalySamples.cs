using TokenTally.Application.Anomalies;
using TokenTally.Core.Anomalies.Slices;
using TokenTally.Core.Rollups;

namespace TokenTally.Application.Tests.Anomalies;

/// <summary>Anomalies stored as the hourly scan stores them, for tests of what the API shows and to whom.</summary>
public static class AnomalySamples
{
    /// <summary>The series of the two sample anomalies: the cost of <paramref name="project"/>, and the tenant's cost.</summary>
    public static IReadOnlyList<SeriesKey> Series(string project) => [new(SeriesMetric.Cost, Dimension.Project, project), new(SeriesMetric.Cost)];

    /// <summary>The ids of the two sample anomalies at <paramref name="hour"/>: [0] on the project's slice, [1] on the whole tenant.</summary>
    public static IReadOnlyList<string> Ids(string tenant, string project, DateTimeOffset hour) => Series(project).Select(s => s.AnomalyId(tenant, hour)).ToList();

    /// <summary>An anomaly of <paramref name="series"/> at <paramref name="hour"/>: a spike from about 10 to 55 USD, driven by one model.</summary>
    public static AnomalyDocument Anomaly(string tenant, SeriesKey series, DateTimeOffset hour, string severity = "high", string kind = "spike", double score = 0.9) => new(
        series.AnomalyId(tenant, hour), tenant, series.Text, SeriesKey.MetricName(series.Metric), series.Slice, hour, kind, severity, score,
        55, 10, 6, 14, 11.2, 0.6, [new Contributor("model", "claude-opus-4-1", 46, 1, 45, 0.95)], DateTimeOffset.UtcNow);

    /// <summary>Stores the two sample anomalies of <see cref="Ids"/> in the tenant.</summary>
    public static Task StoreAsync(IServiceProvider services, string tenant, string project, DateTimeOffset hour) =>
        services.GetRequiredService<AnomalyStore>().ReplaceWindowAsync(
            tenant, hour, hour.AddHours(1), Series(project).Select(s => Anomaly(tenant, s, hour)).ToList(), TestContext.Current.CancellationToken);
}
