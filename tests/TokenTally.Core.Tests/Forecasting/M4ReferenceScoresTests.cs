using System.Globalization;
using TokenTally.Core.Forecasting;
using TokenTally.ForecastBench;
using TokenTally.Testing;

namespace TokenTally.Core.Tests.Forecasting;

/// <summary>
/// The harness's Naive2, seasonal naive and Naive1, scored with <see cref="ForecastAccuracy"/>, reproduce the reference
/// scores shipped with the M4 hourly subset (<c>../shared/bench/m4-hourly/reference/subset_reference_scores.csv</c>).
/// </summary>
public sealed class M4ReferenceScoresTests
{
    private const int Horizon = 48;
    private static readonly string DataDirectory = Path.GetFullPath(Path.Combine(RepositoryPaths.Root, "..", "shared", "bench", "m4-hourly"));

    [Theory]
    [InlineData("Naive2")]
    [InlineData("sNaive")]
    [InlineData("Naive1")]
    public void OurBenchmarkMethodsReproduceTheSubsetReferenceScores(string method)
    {
        Assert.SkipUnless(Directory.Exists(DataDirectory), $"The M4 hourly data is not at {DataDirectory}.");
        var series = M4HourlyDataset.Load(DataDirectory);
        var reference = ReferenceScores();

        var scores = series.Select(s =>
        {
            var forecast = Forecast(method, s.Train);
            return (SMape: ForecastAccuracy.SymmetricMape(s.Test, forecast), Mase: ForecastAccuracy.Mase(s.Test, forecast, s.Train, 24));
        }).ToList();
        var naive2 = series.Select(s => M4Benchmarks.Naive2(s.Train, Horizon, 24)).ToList();
        var naive2SMape = series.Select((s, i) => ForecastAccuracy.SymmetricMape(s.Test, naive2[i])).Average();
        var naive2Mase = series.Select((s, i) => ForecastAccuracy.Mase(s.Test, naive2[i], s.Train, 24)).Average();

        var (smape, mase, owa) = reference[method];
        Assert.Equal(207, series.Count);
        Assert.Equal(smape, scores.Average(x => x.SMape), 3);
        Assert.Equal(mase, scores.Average(x => x.Mase), 3);
        Assert.Equal(owa, ForecastAccuracy.Owa(scores.Average(x => x.SMape), scores.Average(x => x.Mase), naive2SMape, naive2Mase), 4);
    }

    [Fact]
    public void OurNaive2MatchesThePublishedNaive2ForecastsPointByPoint()
    {
        Assert.SkipUnless(Directory.Exists(DataDirectory), $"The M4 hourly data is not at {DataDirectory}.");
        var published = M4HourlyDataset.LoadForecasts(Path.Combine(DataDirectory, "reference", "benchmark-forecasts", "Naive2.csv"));

        foreach (var s in M4HourlyDataset.Load(DataDirectory))
        {
            var ours = M4Benchmarks.Naive2(s.Train, Horizon, 24);
            for (var h = 0; h < Horizon; h++)
            {
                Assert.True(Math.Abs(ours[h] - published[s.Id][h]) <= 1e-4 * Math.Max(1, Math.Abs(published[s.Id][h])), $"{s.Id} step {h + 1}: {ours[h]} against {published[s.Id][h]}");
            }
        }
    }

    private static double[] Forecast(string method, double[] train) => method switch
    {
        "Naive2" => M4Benchmarks.Naive2(train, Horizon, 24),
        "sNaive" => M4Benchmarks.SeasonalNaive(train, Horizon, 24),
        _ => M4Benchmarks.Naive1(train, Horizon),
    };

    private static Dictionary<string, (double SMape, double Mase, double Owa)> ReferenceScores() =>
        File.ReadLines(Path.Combine(DataDirectory, "reference", "subset_reference_scores.csv"))
            .Skip(1)
            .Select(line => line.Split(','))
            .Where(f => f.Length == 6)
            .ToDictionary(
                f => f[0],
                f => (double.Parse(f[3], CultureInfo.InvariantCulture), double.Parse(f[4], CultureInfo.InvariantCulture), double.Parse(f[5], CultureInfo.InvariantCulture)));
}
