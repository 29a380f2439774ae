using TokenTally.Core.Anomalies.Slices;
using TokenTally.Core.Rollups;

namespace TokenTally.Core.Tests.Anomalies.Slices;

public sealed class TenantSeriesBuilderTests
{
    private static readonly DateTimeOffset From = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static RollupRow Hour(int calls, int errors, decimal costPerCall)
    {
        var row = new RollupRow(Cube.Total, []);
        for (var i = 0; i < calls; i++)
        {
            row.Add(new CallFact(Enumerable.Repeat("x", CallFact.DimensionCount).ToArray(), i < errors, 1_000, 0, 0, 100, 0, costPerCall, Unpriced: false, LatencyMs: 100 + i, TimeToFirstTokenMs: null));
        }

        return row;
    }

    [Fact]
    public void SeriesStartAtTheFirstHourWithCallsAndRatiosOnTooFewCallsAreMissing()
    {
        var builder = new TenantSeriesBuilder(From, 4);
        builder.AddTotal(From.AddHours(1), Hour(20, 5, 0.5m));
        builder.AddTotal(From.AddHours(2), Hour(3, 0, 0.5m));
        builder.AddSlice(Dimension.Model, "gpt-4o");
        builder.AddSliceCost(Dimension.Model, "gpt-4o", From.AddHours(1), 4m);
        builder.AddSliceCost(Dimension.Model, "gpt-4o", From.AddHours(3), 1m);
        builder.AddSliceCost(Dimension.Model, "not-declared", From.AddHours(3), 1m);

        var built = builder.Build()!;
        var series = built.Series.ToDictionary(s => s.Key.Text, s => s.Values);

        Assert.Equal(From.AddHours(1), built.Start);
        Assert.Equal(["cost|tenant", "calls|tenant", "error_rate|tenant", "p95_latency_ms|tenant", "tokens_per_call|tenant", "cost|model=gpt-4o"], built.Series.Select(s => s.Key.Text));
        Assert.Equal([10.0, 1.5, 0.0], series["cost|tenant"]);
        Assert.Equal([20.0, 3.0, 0.0], series["calls|tenant"]);
        Assert.Equal(25.0, series["error_rate|tenant"][0]);
        Assert.True(double.IsNaN(series["error_rate|tenant"][1]) && double.IsNaN(series["tokens_per_call|tenant"][2]));
        Assert.Equal(1_100.0, series["tokens_per_call|tenant"][0]);
        Assert.Equal([4.0, 0.0, 1.0], series["cost|model=gpt-4o"]);
    }

    [Fact]
    public void ATenantWithoutCallsHasNoSeries() => Assert.Null(new TenantSeriesBuilder(From, 24).Build());

    [Fact]
    public void TheTopValuesAreTheCostliestNamedOnesWithoutTheFoldOfTheRest()
    {
        var top = TenantSeriesBuilder.TopValues([("b", 5m), ("a", 5m), (Cube.Other, 100m), ("c", 1m), ("b", 1m), ("free", 0m)], 3);

        Assert.Equal(["b", "a", "c"], top);
    }

    [Fact]
    public void AnAnomalysIdDependsOnTenantSeriesAndHourAlone()
    {
        var series = new SeriesKey(SeriesMetric.Cost, Dimension.Model, "claude-opus-4-1");

        Assert.Equal("cost|model=claude-opus-4-1", series.Text);
        Assert.Equal(series.AnomalyId("acme", From), new SeriesKey(SeriesMetric.Cost, Dimension.Model, "claude-opus-4-1").AnomalyId("acme", From.AddMinutes(30)));
        Assert.NotEqual(series.AnomalyId("acme", From), series.AnomalyId("acme", From.AddHours(1)));
        Assert.NotEqual(series.AnomalyId("acme", From), series.AnomalyId("other", From));
        Assert.Matches("^[0-9a-f]{16}$", series.AnomalyId("acme", From));
    }
}
