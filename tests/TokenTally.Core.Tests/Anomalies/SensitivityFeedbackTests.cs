using TokenTally.Core.Anomalies;

namespace TokenTally.Core.Tests.Anomalies;

/// <summary>Feedback on a series' anomalies moves its sensitivity: false positives lower it most, confirmations restore it.</summary>
public sealed class SensitivityFeedbackTests
{
    [Fact]
    public void WithoutFeedbackTheSensitivityIsTheBaseline() =>
        Assert.Equal(0.6, SensitivityFeedback.Sensitivity(0.6, 0, 0, 0));

    [Fact]
    public void EachFalsePositiveLowersTheSensitivityMoreThanAnExpectedAnomaly()
    {
        var afterFalsePositives = Enumerable.Range(0, 5).Select(n => SensitivityFeedback.Sensitivity(0.6, n, 0, 0)).ToArray();

        Assert.Equal(afterFalsePositives.OrderDescending(), afterFalsePositives);
        Assert.Equal(0.6 * 0.8, afterFalsePositives[1], 12);
        Assert.True(SensitivityFeedback.Sensitivity(0.6, 1, 0, 0) < SensitivityFeedback.Sensitivity(0.6, 0, 1, 0));
    }

    [Fact]
    public void ManyFalsePositivesStopAtTheMinimum() =>
        Assert.Equal(SensitivityFeedback.MinimumSensitivity, SensitivityFeedback.Sensitivity(0.6, 50, 0, 0));

    [Fact]
    public void ConfirmationsWinSensitivityBackButNeverAboveTheBaseline()
    {
        Assert.True(SensitivityFeedback.Sensitivity(0.6, 3, 0, 1) > SensitivityFeedback.Sensitivity(0.6, 3, 0, 0));
        Assert.Equal(0.6, SensitivityFeedback.Sensitivity(0.6, 1, 0, 10));
    }

    [Fact]
    public void LowerSensitivityFromFeedbackMeansAHigherBarForFlagging()
    {
        var before = new AnomalyDetectorOptions { Sensitivity = SensitivityFeedback.Sensitivity(0.6, 0, 0, 0) };
        var after = before with { Sensitivity = SensitivityFeedback.Sensitivity(0.6, 2, 0, 0) };

        Assert.True(after.FlagNovelty > before.FlagNovelty);
    }
}
