using TokenTally.Core.Forecasting;

namespace TokenTally.Core.Tests.Forecasting;

public sealed class ForecastAccuracyTests
{
    [Fact]
    public void SymmetricMapeAveragesTwiceTheErrorOverTheSumOfMagnitudesInPercent()
    {
        // 2·10/210 and 2·20/380, averaged, in percent.
        var smape = ForecastAccuracy.SymmetricMape([100, 200], [110, 180]);

        Assert.Equal(100 * (20.0 / 210 + 40.0 / 380) / 2, smape, 12);
        Assert.Equal(10.02506, smape, 5);
    }

    [Fact]
    public void SymmetricMapeCountsAStepWhereActualAndForecastAreBothZeroAsNoError()
    {
        Assert.Equal(100.0, ForecastAccuracy.SymmetricMape([0, 0], [0, 5]), 12);
    }

    [Fact]
    public void MaseDividesTheMeanAbsoluteErrorByTheInSampleSeasonalNaiveError()
    {
        // Seasonal differences at lag 2 of 1..6 are all 2; errors 1 and 2 average 1.5.
        double[] history = [1, 2, 3, 4, 5, 6];

        Assert.Equal(2.0, ForecastAccuracy.SeasonalNaiveScale(history, 2), 12);
        Assert.Equal(0.75, ForecastAccuracy.Mase([7, 8], [8, 6], history, 2), 12);
    }

    [Fact]
    public void MaseIsUndefinedForAConstantOrTooShortHistory()
    {
        Assert.True(double.IsNaN(ForecastAccuracy.Mase([1], [2], [5, 5, 5, 5], 2)));
        Assert.True(double.IsNaN(ForecastAccuracy.Mase([1], [2], [5, 6], 2)));
    }

    [Fact]
    public void OwaAveragesTheRatiosOfSymmetricMapeAndMaseToNaive2()
    {
        Assert.Equal(0.375, ForecastAccuracy.Owa(10, 1, 20, 4), 12);
        Assert.Equal(1.0, ForecastAccuracy.Owa(18.949, 1.914, 18.949, 1.914), 12);
    }

    [Fact]
    public void MismatchedLengthsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => ForecastAccuracy.SymmetricMape([1, 2], [1]));
        Assert.Throws<ArgumentException>(() => ForecastAccuracy.Mase([], [], [1, 2, 3], 1));
    }
}
