using TokenTally.Core.Alerts.Rules;
using TokenTally.Core.Rollups;

namespace TokenTally.Core.Tests.Alerts.Rules;

public sealed class AnomalyScoreRuleTests
{
    private static AlertRuleDraft Draft(decimal threshold) => new("cost anomalies", "anomaly_score", null, null, threshold, "critical", null, null);

    [Fact]
    public void AnAnomalyScoreRuleTakesAThresholdFromZeroToOne()
    {
        var (rule, errors) = AlertRuleValidator.Validate(Draft(0.8m));
        var (_, tooHigh) = AlertRuleValidator.Validate(Draft(80m));

        Assert.Empty(errors);
        Assert.Equal((RuleMetric.AnomalyScore, 0.8m), (rule!.Metric, rule.Threshold));
        Assert.Equal(("threshold", "range"), (Assert.Single(tooHigh).Field, tooHigh[0].Code));
        Assert.Equal("0.80", RuleMetrics.Format(RuleMetric.AnomalyScore, 0.8m));
    }

    [Fact]
    public void AnAnomalyScoreIsNoRollupValue() =>
        Assert.Null(RuleMetrics.Value(RuleMetric.AnomalyScore, new RollupRow(Cube.Total, []), 1, 1));
}
