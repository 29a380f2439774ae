using TokenTally.Core.Anomalies;

namespace TokenTally.Core.Tests.Anomalies;

/// <summary>
/// The detector on hourly series with daily and weekly seasonality and known injected anomalies: it finds what was
/// injected, calls it by its kind, and leaves clean noise alone.
/// </summary>
public sealed class AnomalyDetectorTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    [Fact]
    public void SpikesAtThreeInTheMorningWithinTheDailyRangeAreFoundAsSpikesOutsideTheirExpectedRange()
    {
        // 03:00 is the cycle's low (about 70); +60 stays below the afternoon peak (about 130), so only the seasonal
        // baseline can tell these points are anomalous. Three weeks apart, each is as remarkable as the first.
        int[] spikes = [SyntheticSeries.HourOf(35, 3), SyntheticSeries.HourOf(56, 3), SyntheticSeries.HourOf(78, 3)];
        var series = SyntheticSeries.Seasonal();
        foreach (var at in spikes)
        {
            series.WithSpike(at, 60);
        }

        var anomalies = AnomalyScan.Detect(SyntheticSeries.Start, Hour, series.Values).Where(a => a.Timestamp >= SyntheticSeries.Start.AddDays(14)).ToArray();

        foreach (var at in spikes)
        {
            var anomaly = Assert.Single(anomalies, a => a.Timestamp == SyntheticSeries.Start + (at * Hour));
            Assert.Equal(AnomalyKind.Spike, anomaly.Kind);
            Assert.True(anomaly.Observed > anomaly.Upper, $"observed {anomaly.Observed} within [{anomaly.Lower}, {anomaly.Upper}]");
            Assert.InRange(anomaly.Expected, 55, 85);
            Assert.InRange(anomaly.Score, 0.0, 1.0);
            Assert.True(anomaly.Deviation > 5, $"deviation {anomaly.Deviation}");
        }

        Assert.Equal(spikes.Length, anomalies.Length);
    }

    [Fact]
    public void SpikesWithinTheQuietPeriodAreOneIncidentReportedAtItsFirstPointWithItsHighestScore()
    {
        // Two days apart, the second larger (so it is flagged too): one incident, as a runaway job that flares up again.
        var first = SyntheticSeries.HourOf(40, 3);
        var second = SyntheticSeries.HourOf(42, 3);
        var series = SyntheticSeries.Seasonal().WithSpike(first, 60).WithSpike(second, 120);
        var alone = AnomalyScan.Detect(SyntheticSeries.Start, Hour, SyntheticSeries.Seasonal().WithSpike(first, 60).Values).Single(a => a.Timestamp >= SyntheticSeries.Start.AddDays(14));

        var anomaly = Assert.Single(AnomalyScan.Detect(SyntheticSeries.Start, Hour, series.Values), a => a.Timestamp >= SyntheticSeries.Start.AddDays(14));

        Assert.Equal(SyntheticSeries.Start + (first * Hour), anomaly.Timestamp);
        Assert.True(anomaly.Score > alone.Score, $"incident score {anomaly.Score}, first spike alone {alone.Score}");
        Assert.True(AnomalyDetectorOptions.Default.QuietPeriod >= (second - first) * Hour);
    }

    [Fact]
    public void AShorterIncidentGapReportsSpikesDaysApartApartAndChangesNoScore()
    {
        var first = SyntheticSeries.HourOf(40, 3);
        var second = SyntheticSeries.HourOf(42, 3);
        var series = SyntheticSeries.Seasonal().WithSpike(first, 60).WithSpike(second, 120);
        var grouped = AnomalyDetectorOptions.Default with { IncidentGap = TimeSpan.FromHours(6) };

        var anomalies = AnomalyScan.Detect(SyntheticSeries.Start, Hour, series.Values, grouped).Where(a => a.Timestamp >= SyntheticSeries.Start.AddDays(14)).ToList();
        var scores = new double[series.Values.Length];
        var defaultScores = new double[series.Values.Length];
        AnomalyScan.Score(Hour, series.Values, scores, grouped);
        AnomalyScan.Score(Hour, series.Values, defaultScores);

        Assert.Equal([SyntheticSeries.Start + (first * Hour), SyntheticSeries.Start + (second * Hour)], anomalies.Select(a => a.Timestamp));
        Assert.Equal(defaultScores, scores);
    }

    [Fact]
    public void SpikesAWeekApartAreTwoIncidents()
    {
        int[] spikes = [SyntheticSeries.HourOf(40, 3), SyntheticSeries.HourOf(47, 3)];
        var series = SyntheticSeries.Seasonal().WithSpike(spikes[0], 60).WithSpike(spikes[1], 120);

        var anomalies = AnomalyScan.Detect(SyntheticSeries.Start, Hour, series.Values).Where(a => a.Timestamp >= SyntheticSeries.Start.AddDays(14));

        Assert.Equal(spikes.Select(at => SyntheticSeries.Start + (at * Hour)), anomalies.Select(a => a.Timestamp));
    }

    [Fact]
    public void ADropIsAFlaggedSpikeWithANegativeDeviation()
    {
        var at = SyntheticSeries.HourOf(50, 15);
        var series = SyntheticSeries.Seasonal().WithSpike(at, -70);

        var anomaly = Assert.Single(AnomalyScan.Detect(SyntheticSeries.Start, Hour, series.Values), a => a.Timestamp >= SyntheticSeries.Start.AddDays(14));

        Assert.Equal(SyntheticSeries.Start + (at * Hour), anomaly.Timestamp);
        Assert.True(anomaly.Deviation < 0);
        Assert.True(anomaly.Observed < anomaly.Lower);
    }

    [Fact]
    public void ALevelShiftIsReportedAsALevelShiftNotATrainOfSpikes()
    {
        var from = SyntheticSeries.HourOf(60, 10);
        var series = SyntheticSeries.Seasonal().WithShift(from, 40);

        var anomalies = AnomalyScan.Detect(SyntheticSeries.Start, Hour, series.Values).Where(a => a.Timestamp >= SyntheticSeries.Start.AddDays(14));

        var anomaly = Assert.Single(anomalies);
        Assert.Equal(AnomalyKind.LevelShift, anomaly.Kind);
        Assert.InRange(anomaly.Timestamp, SyntheticSeries.Start + (from * Hour), SyntheticSeries.Start + ((from + 6) * Hour));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void CleanSeasonalNoiseRaisesNoAnomaliesOnceTheWeeklySeasonIsLearned(int seed)
    {
        // In its first two weeks a series' first weekend is new to the detector; after that, noise is just noise.
        var series = SyntheticSeries.Seasonal(seed: seed);
        var learned = SyntheticSeries.Start.AddDays(14);

        Assert.DoesNotContain(AnomalyScan.Detect(SyntheticSeries.Start, Hour, series.Values), a => a.Timestamp >= learned);
    }

    [Fact]
    public void LoweringTheSensitivityFlagsFewerPoints()
    {
        var series = SyntheticSeries.Seasonal(noise: 6);
        for (var day = 10; day < 90; day += 8)
        {
            series.WithSpike(SyntheticSeries.HourOf(day, 4), 15 + (3 * (day % 5)));
        }

        var counts = new[] { 1.0, 0.6, 0.3, 0.1 }
            .Select(s => AnomalyScan.Detect(SyntheticSeries.Start, Hour, series.Values, new AnomalyDetectorOptions { Sensitivity = s }).Count)
            .ToArray();

        Assert.True(counts[0] > counts[^1], $"flags at sensitivity 1, 0.6, 0.3, 0.1: {string.Join(", ", counts)}");
        for (var i = 1; i < counts.Length; i++)
        {
            Assert.True(counts[i] <= counts[i - 1], $"flags at sensitivity 1, 0.6, 0.3, 0.1: {string.Join(", ", counts)}");
        }
    }

    [Fact]
    public void AppendingFuturePointsDoesNotChangeThePastScores()
    {
        var series = SyntheticSeries.Seasonal().WithSpike(SyntheticSeries.HourOf(30, 3), 60).WithShift(SyntheticSeries.HourOf(70, 0), 40);
        var full = new double[series.Values.Length];
        AnomalyScan.Score(Hour, series.Values, full);

        foreach (var cut in new[] { 100, 24 * 30, (24 * 30) + 4, 24 * 70, (24 * 70) + 3 })
        {
            var prefix = new double[cut];
            AnomalyScan.Score(Hour, series.Values.AsSpan(0, cut), prefix);
            Assert.Equal(full.AsSpan(0, cut).ToArray(), prefix);
        }
    }

    [Fact]
    public void AMissingPointIsNeitherScoredNorLearned()
    {
        var series = SyntheticSeries.Seasonal(days: 30);
        var detector = new StreamingAnomalyDetector(Hour);
        PointAssessment missing = default;
        for (var i = 0; i < series.Values.Length; i++)
        {
            var point = detector.Observe(i == 500 ? double.NaN : series.Values[i]);
            if (i == 500)
            {
                missing = point;
            }
        }

        Assert.Equal(0.0, missing.Score);
        Assert.False(missing.IsAnomaly);
        Assert.True(double.IsFinite(missing.Expected));
    }
}
