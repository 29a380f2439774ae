using TokenTally.Core.Alerts;
using TokenTally.Core.Alerts.Rules;
using TokenTally.Core.Rollups;

namespace TokenTally.Core.Tests.Alerts.Rules;

/// <summary>Alert rules: every field checked with a code, and each metric computed from a window's rollup rows.</summary>
public sealed class AlertRuleTests
{
    private static AlertRuleDraft Draft() => new("errors", "error_rate", null, 3, 5m, null, null, null);

    [Fact]
    public void ARuleGetsAOneHourWindowWarningSeverityAndTwentyCallsForARatioByDefault()
    {
        var (rule, errors) = AlertRuleValidator.Validate(Draft() with { WindowHours = null });

        Assert.Empty(errors);
        Assert.Equal((RuleMetric.ErrorRate, 1, AlertSeverity.Warning, 20), (rule!.Metric, rule.WindowHours, rule.Severity, rule.MinCalls));
        Assert.True(rule.Scope.IsTenant);
    }

    [Fact]
    public void EveryBadFieldIsNamedWithItsCode()
    {
        var (rule, errors) = AlertRuleValidator.Validate(new AlertRuleDraft(
            "", "cost", new Dictionary<string, IReadOnlyList<string>?> { ["team"] = ["a"] }, 169, -1m, "urgent", 0, ["bad id!"]));

        Assert.Null(rule);
        Assert.Equal(
            [("name", "required"), ("metric", "enum"), ("scope.team", "unknown"), ("windowHours", "range"), ("threshold", "range"), ("severity", "enum"), ("minCalls", "range"), ("channels[0]", "format")],
            errors.Select(e => (e.Field, e.Code)));
    }

    private static RollupRow Window(int calls, int errors, decimal cost, double latencyMs, long unpriced = 0)
    {
        var row = new RollupRow(Cube.Total, []);
        for (var i = 0; i < calls; i++)
        {
            var values = new string[CallFact.DimensionCount];
            Array.Fill(values, Cube.None);
            row.Add(new CallFact(values, i < errors, 900, 0, 0, 100, 0, cost / calls, i < unpriced, latencyMs, null));
        }

        return row;
    }

    [Fact]
    public void EachMetricIsComputedOverTheWindow()
    {
        var window = Window(calls: 40, errors: 6, cost: 12m, latencyMs: 800, unpriced: 2);

        Assert.Equal(4m, RuleMetrics.Value(RuleMetric.CostPerHour, window, 3, 20));
        Assert.Equal(40m, RuleMetrics.Value(RuleMetric.Calls, window, 3, 20));
        Assert.Equal(15m, RuleMetrics.Value(RuleMetric.ErrorRate, window, 3, 20));
        Assert.Equal(1000m, RuleMetrics.Value(RuleMetric.TokensPerCall, window, 3, 20));
        Assert.Equal(2m, RuleMetrics.Value(RuleMetric.UnpricedCalls, window, 3, 20));
        Assert.InRange(RuleMetrics.Value(RuleMetric.LatencyP95, window, 3, 20)!.Value, 792m, 808m);
    }

    [Fact]
    public void ARatioOnTooFewCallsSaysNothingWhileCountsStillCount()
    {
        var window = Window(calls: 5, errors: 5, cost: 1m, latencyMs: 100);

        Assert.Null(RuleMetrics.Value(RuleMetric.ErrorRate, window, 1, 20));
        Assert.Null(RuleMetrics.Value(RuleMetric.LatencyP95, window, 1, 20));
        Assert.Null(RuleMetrics.Value(RuleMetric.TokensPerCall, window, 1, 20));
        Assert.Equal(5m, RuleMetrics.Value(RuleMetric.Calls, window, 1, 20));
        Assert.Equal(100m, RuleMetrics.Value(RuleMetric.ErrorRate, window, 1, 5));
    }
}
