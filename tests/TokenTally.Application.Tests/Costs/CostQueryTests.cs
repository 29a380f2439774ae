using TokenTally.Application.Costs;
using TokenTally.Application.Rollups;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Core.Rollups;
using TokenTally.Core.Sketches;

namespace TokenTally.Application.Tests.Costs;

/// <summary>
/// Cost query results against a reference computed from the raw calls: exact totals, and sketches equal to one sketch
/// fed every latency of the bucket, over a range with partial days at both ends (hour rows and day rows mixed).
/// </summary>
public sealed class CostQueryTests : IDisposable
{
    private readonly TemporarySqliteStore _store = new();

    private static readonly DateTimeOffset From = new(2026, 5, 3, 17, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = new(2026, 5, 7, 5, 0, 0, TimeSpan.Zero);
    private static readonly string[] Models = ["m-a", "m-b", "m-c"];

    private sealed record Call(DateTimeOffset Hour, string Model, string Department, decimal Cost, double Latency);

    private static IEnumerable<Call> Calls()
    {
        var random = new Random(5);
        for (var hour = From.AddHours(-3); hour < To.AddHours(3); hour = hour.AddHours(1))
        {
            for (var i = 0; i < 6; i++)
            {
                yield return new Call(hour, Models[random.Next(Models.Length)], i % 3 == 0 ? "sales" : "support", random.Next(1, 100_000) / 1_000_000m, 20 + (random.NextDouble() * 5_000));
            }
        }
    }

    private static CallFact Fact(Call call)
    {
        var values = new string[CallFact.DimensionCount];
        Array.Fill(values, Cube.None);
        values[(int)Dimension.Project] = "p";
        values[(int)Dimension.Model] = call.Model;
        values[(int)Dimension.Department] = call.Department;
        values[(int)Dimension.Status] = "ok";
        return new CallFact(values, false, 100, 0, 0, 10, 0, call.Cost, false, call.Latency, null);
    }

    private async Task<(string Tenant, List<Call> Calls)> SeedAsync()
    {
        var tenant = "t-" + Guid.NewGuid().ToString("N");
        var calls = Calls().ToList();
        var rollups = new RollupStore(_store.Store);
        foreach (var hour in calls.GroupBy(c => c.Hour))
        {
            var rollup = new HourRollup();
            foreach (var call in hour)
            {
                rollup.Add(Fact(call));
            }

            await rollups.ReplaceHourAsync(tenant, hour.Key, rollup.Rows(), TestContext.Current.CancellationToken);
        }

        return (tenant, calls);
    }

    private static CostQuerySpec Spec(Granularity granularity, IReadOnlyList<Dimension> groupBy, IReadOnlyDictionary<Dimension, IReadOnlySet<string>>? filters = null) =>
        new(From, To, granularity, groupBy, filters ?? new Dictionary<Dimension, IReadOnlySet<string>>(), TimeZoneInfo.Utc);

    private static void AssertMatches(IReadOnlyList<Call> calls, DateTimeOffset start, CostPoint point)
    {
        var sketch = new DDSketch(RollupRow.SketchAccuracy);
        foreach (var call in calls)
        {
            sketch.Add(call.Latency);
        }

        Assert.Equal(start, point.Start);
        Assert.Equal(calls.Count, point.Calls);
        Assert.Equal(calls.Sum(c => c.Cost), point.CostUsd);
        Assert.Equal(Math.Round(sketch.Quantile(0.5), 2), point.LatencyMs.P50);
        Assert.Equal(Math.Round(sketch.Quantile(0.95), 2), point.LatencyMs.P95);
        Assert.Equal(Math.Round(sketch.Quantile(0.99), 2), point.LatencyMs.P99);
    }

    [Theory]
    [InlineData(Granularity.Day)]
    [InlineData(Granularity.Hour)]
    [InlineData(Granularity.Month)]
    public async Task EveryPointAndTotalEqualsTheReferenceFromTheRawCalls(Granularity granularity)
    {
        var (tenant, all) = await SeedAsync();
        var inRange = all.Where(c => c.Hour >= From && c.Hour < To).ToList();

        var report = await new CostQuery(new RollupStore(_store.Store)).RunAsync(tenant, Spec(granularity, [Dimension.Model]), TestContext.Current.CancellationToken);

        AssertMatches(inRange, From, report.Total);
        Assert.Equal(Models.Order(), report.Series.Select(s => s.Key["model"]).Order());
        foreach (var series in report.Series)
        {
            var calls = inRange.Where(c => c.Model == series.Key["model"]).ToList();
            AssertMatches(calls, From, series.Total);
            var buckets = calls.GroupBy(c => TimeBuckets.BucketStart(c.Hour, granularity, TimeZoneInfo.Utc)).OrderBy(g => g.Key).ToList();
            Assert.Equal(buckets.Count, series.Points.Count);
            foreach (var (bucket, point) in buckets.Zip(series.Points))
            {
                AssertMatches(bucket.ToList(), bucket.Key, point);
            }
        }

        Assert.True(report.Series.SequenceEqual(report.Series.OrderByDescending(s => s.Total.CostUsd)), "series are ordered by cost, highest first");
    }

    [Fact]
    public async Task FiltersKeepOnlyTheMatchingRowsAndGroupingByTwoDimensionsSplitsThem()
    {
        var (tenant, all) = await SeedAsync();
        var support = all.Where(c => c.Hour >= From && c.Hour < To && c.Department == "support").ToList();
        var filters = new Dictionary<Dimension, IReadOnlySet<string>> { [Dimension.Department] = new HashSet<string> { "support" } };

        var report = await new CostQuery(new RollupStore(_store.Store)).RunAsync(tenant, Spec(Granularity.Day, [Dimension.Model, Dimension.Department], filters), TestContext.Current.CancellationToken);

        AssertMatches(support, From, report.Total);
        Assert.All(report.Series, s => Assert.Equal("support", s.Key["department"]));
        Assert.Equal(support.Select(c => c.Model).Distinct().Count(), report.Series.Count);
        foreach (var series in report.Series)
        {
            AssertMatches(support.Where(c => c.Model == series.Key["model"]).ToList(), From, series.Total);
        }
    }

    public void Dispose() => _store.Dispose();
}
