using System.Text;
using TokenTally.Core.Calls;
using TokenTally.Core.Pricing;

namespace TokenTally.Demo.Tests;

/// <summary>The demo traffic model on its own: rhythm, the injected incident, the story's dates, and records the server accepts and prices.</summary>
public sealed class DemoTrafficGeneratorTests
{
    // A Thursday afternoon; the history before it spans three weekends.
    private static readonly DateTimeOffset Anchor = new(2026, 11, 19, 15, 20, 0, TimeSpan.Zero);
    private static readonly Lazy<IReadOnlyList<DemoCall>> ThreeWeeks = new(() => CreateSut().Generate(Anchor.AddDays(-21), Anchor).ToList());

    private static DemoTraffic CreateSut(int seed = 42, double callsPerDay = 4_000) => new(seed, Anchor, callsPerDay);

    [Fact]
    public void AWeekdayHasMoreCallsAtTwoInTheAfternoonThanAtThreeInTheMorning()
    {
        var traffic = CreateSut();
        var wednesday = new DateTimeOffset(2026, 11, 11, 0, 0, 0, TimeSpan.Zero);

        var afternoon = traffic.Generate(wednesday.AddHours(14), wednesday.AddHours(15)).Count();
        var night = traffic.Generate(wednesday.AddHours(3), wednesday.AddHours(4)).Count();

        Assert.True(afternoon > 2.5 * night, $"14:00 {afternoon} calls, 03:00 {night} calls");
    }

    [Fact]
    public void WeekdaysAreBusierThanWeekendsAndMondaysThanFridays()
    {
        var traffic = CreateSut();
        var monday = new DateTimeOffset(2026, 11, 9, 0, 0, 0, TimeSpan.Zero);

        var day = Enumerable.Range(0, 7).Select(d => traffic.ExpectedCalls(monday.AddDays(d), monday.AddDays(d + 1))).ToList();

        Assert.True(day[0] > day[4], $"Monday {day[0]:0}, Friday {day[4]:0}");
        Assert.True(day[4] > 2 * day[5], $"Friday {day[4]:0}, Saturday {day[5]:0}");
        Assert.True(day[4] > 2 * day[6], $"Friday {day[4]:0}, Sunday {day[6]:0}");
        Assert.InRange(day.Sum() / 7, 4_000 * 0.95, 4_000 * 1.05);
    }

    [Fact]
    public void TheRunawayAgentCallsOpusAtEightTimesItsRateInsideItsTwoHoursOnly()
    {
        var traffic = CreateSut();
        Assert.Equal(Anchor.AddHours(-36).AddMinutes(-20), traffic.SpikeStart);

        var inside = traffic.Generate(traffic.SpikeStart, traffic.SpikeEnd).Where(c => c.Service == DemoCompany.RunawayService).ToList();
        var dayBefore = traffic.Generate(traffic.SpikeStart.AddDays(-1), traffic.SpikeEnd.AddDays(-1)).Where(c => c.Service == DemoCompany.RunawayService).ToList();
        var opusAt = ThreeWeeks.Value.Where(c => c.Model == "claude-opus-4-1").Select(c => c.Timestamp).ToList();

        Assert.True(inside.Count > 5 * Math.Max(1, dayBefore.Count), $"{inside.Count} calls in the spike, {dayBefore.Count} the day before");
        Assert.True(inside.Count(c => c.Model == "claude-opus-4-1") > inside.Count / 2);
        Assert.NotEmpty(opusAt);
        Assert.All(opusAt, t => Assert.InRange(t, traffic.SpikeStart, traffic.SpikeEnd));
        Assert.Single(inside.Where(c => c.Model == "claude-opus-4-1").Select(c => c.UserId).Distinct());
    }

    [Fact]
    public void TheReleaseFiveDaysBeforeTheAnchorSendsLargerPromptsAndIsSlower()
    {
        var traffic = CreateSut();
        var deployed = traffic.AnchorDay.AddDays(-5).AddHours(9.5);
        var chat = ThreeWeeks.Value.Where(c => c.Service == "support-chat" && c.Status == "ok").ToList();
        var before = chat.Where(c => c.Timestamp >= deployed.AddDays(-4) && c.Timestamp < deployed).ToList();
        var after = chat.Where(c => c.Timestamp >= deployed).ToList();

        Assert.Equal("2.4.0", traffic.ReleaseAt("support-chat", deployed.AddTicks(-1)));
        Assert.Equal("2.5.0", traffic.ReleaseAt("support-chat", deployed));
        Assert.All(before, c => Assert.Equal("2.4.0", c.Release));
        Assert.All(after, c => Assert.Equal("2.5.0", c.Release));
        Assert.True(Median(after, c => c.InputTokens) > 1.2 * Median(before, c => c.InputTokens));
        Assert.True(Median(after, c => (long)c.LatencyMs) > 1.2 * Median(before, c => (long)c.LatencyMs));
        Assert.True(ThreeWeeks.Value.Select(c => (c.Service, c.Release)).Distinct().Count() >= 10);
    }

    [Fact]
    public void TheExperimentSplitsUsersInTwoAndTheTreatmentUsesMoreTokensWithFewerErrors()
    {
        var traffic = CreateSut();
        var calls = ThreeWeeks.Value.Where(c => c.Experiment is not null).ToList();
        var control = calls.Where(c => c.Variant == "control").ToList();
        var treatment = calls.Where(c => c.Variant == "treatment").ToList();

        Assert.All(calls, c => Assert.Equal(("support-chat", "prompt-v2"), (c.Service, c.Experiment!)));
        Assert.All(calls, c => Assert.True(c.Timestamp >= traffic.ExperimentStart));
        Assert.DoesNotContain(calls.GroupBy(c => c.UserId), g => g.Select(c => c.Variant).Distinct().Count() > 1);
        Assert.InRange(control.Count / (double)calls.Count, 0.35, 0.65);
        Assert.True(ErrorRate(treatment) < ErrorRate(control), $"errors: treatment {ErrorRate(treatment):P1}, control {ErrorRate(control):P1}");
        Assert.True(Mean(treatment.Where(c => c.Status == "ok"), c => c.InputTokens) > Mean(control.Where(c => c.Status == "ok"), c => c.InputTokens));
    }

    [Fact]
    public void ThreeWeeksCoverEveryDashboard()
    {
        var calls = ThreeWeeks.Value;
        var priced = calls.Select(c => (Call: c, Cost: Price(c))).ToList();

        Assert.True(calls.Select(c => c.Service).Distinct().Count() >= 6);
        Assert.True(priced.Select(p => p.Cost.CanonicalModel).Distinct().Count() >= 12);
        Assert.True(calls.Select(c => c.Provider).Distinct().Count() >= 5);
        Assert.True(calls.Select(c => c.UserId).Distinct().Count() >= 250);
        Assert.Equal(6, calls.Select(c => c.Department).Distinct().Count());
        Assert.InRange(ErrorRate(calls), 0.01, 0.05);
        Assert.Equal(["overloaded", "rate_limit", "server_error", "timeout"], calls.Select(c => c.ErrorType).OfType<string>().Distinct().Order());
        Assert.InRange(calls.Count(c => c.CachedInputTokens > 0) / (double)calls.Count, 0.1, 0.5);
        Assert.Contains(calls, c => c.CacheWriteTokens > 0);
        Assert.Contains(calls, c => c.ReasoningTokens > 0);
        Assert.Contains(calls, c => c.Operation == "embedding");
        Assert.Contains(calls, c => c.ServiceTier == "batch");
        Assert.Contains(calls, c => c.Deployment is not null && c.DeploymentType == "data-zone");
        Assert.Contains(calls, c => c.Environment == "staging");
        Assert.InRange(calls.Count(c => c.TraceId is not null) / (double)calls.Count, 0.2, 0.8);
        Assert.True(calls.Where(c => c.Service == DemoCompany.RunawayService).GroupBy(c => c.TraceId).Any(g => g.Count() > 2), "agent runs share a trace");
        Assert.InRange(calls.Count / 21.0, 3_600, 4_600);

        var usualDay = priced.Where(p => p.Call.Timestamp < Anchor.AddDays(-3)).Sum(p => p.Cost.Total) / 18;
        Assert.InRange(usualDay, 20m, 200m);
    }

    [Fact]
    public void EveryRecordIsOneTheServerAcceptsWithTheTokenConventionsKept()
    {
        var context = new CallEventContext(DemoCompany.Tenant, "any", Anchor, TimeSpan.FromDays(30));
        // The parser's field errors, not the demo's own record of the same name.
        var errors = new List<Core.Calls.FieldError>();

        var broken = new List<string>();
        foreach (var call in ThreeWeeks.Value)
        {
            errors.Clear();
            var parsed = CallEventParser.Parse(call.ToJsonUtf8(), context with { Project = call.Project }, errors, () => "unused", out _);
            var kept = parsed is not null
                && parsed.Id == call.Id
                && parsed.Timestamp == call.Timestamp
                && parsed.Usage.CachedInput + parsed.Usage.CacheWrite <= parsed.Usage.Input
                && parsed.Usage.Reasoning <= parsed.Usage.Output
                && (call.TimeToFirstTokenMs is null || call.TimeToFirstTokenMs <= call.LatencyMs)
                && (call.Operation != "embedding" || call.OutputTokens == 0)
                && (call.Status == "ok" || (call.OutputTokens < 40 && call.HttpStatus >= 429))
                && call.Timestamp >= Anchor.AddDays(-21) && call.Timestamp < Anchor;
            if (!kept)
            {
                broken.Add($"{Json(call)}: {string.Join("; ", errors.Select(e => e.Message))}");
            }
        }

        Assert.True(broken.Count == 0, $"{broken.Count} bad records, e.g. {broken.FirstOrDefault()}");
    }

    [Fact]
    public void EveryModelTheDemoCallsIsPriced()
    {
        Assert.All(ThreeWeeks.Value.DistinctBy(c => (c.Provider, c.Model, c.Deployment, c.ServiceTier, c.DeploymentType)), call => Price(call));
    }

    [Fact]
    public void AWindowGivesTheSameCallsWholeOrInSlicesSoLiveTrafficContinuesTheHistory()
    {
        var traffic = CreateSut();
        var from = Anchor.AddHours(-3).AddSeconds(17);
        var to = Anchor.AddSeconds(-5);

        var whole = traffic.Generate(from, to).Select(Json).ToList();
        var sliced = new List<string>();
        for (var start = from; start < to; start = start.AddSeconds(7))
        {
            sliced.AddRange(traffic.Generate(start, start.AddSeconds(7) < to ? start.AddSeconds(7) : to).Select(Json));
        }

        Assert.Equal(whole.Order(), sliced.Order());
        Assert.Equal(whole, CreateSut().Generate(from, to).Select(Json));
        Assert.Equal(ThreeWeeks.Value.Count, ThreeWeeks.Value.Select(c => c.Id).Distinct().Count());
        var ids = traffic.Generate(from, to).Select(c => c.Id).ToHashSet();
        Assert.DoesNotContain(CreateSut(seed: 7).Generate(from, to), c => ids.Contains(c.Id));
    }

    [Fact]
    public void ALargerVolumeAddsCallsButNeverChangesOne()
    {
        var from = Anchor.AddHours(-2);

        var usual = CreateSut().Generate(from, Anchor).ToDictionary(c => c.Id, Json);
        var busier = CreateSut().Generate(from, Anchor, volume: 20).ToDictionary(c => c.Id, Json);

        Assert.True(busier.Count > 10 * usual.Count);
        Assert.All(usual.Keys.Intersect(busier.Keys), id => Assert.Equal(usual[id], busier[id]));
    }

    private static string Json(DemoCall call) => Encoding.UTF8.GetString(call.ToJsonUtf8());

    private static CostBreakdown Price(DemoCall call)
    {
        var project = DemoCompany.Projects.Single(p => p.Name == call.Project);
        var model = call.Deployment is { } deployment ? project.AzureDeployments[deployment] : call.Model!;
        var usage = new TokenUsage(call.InputTokens, call.OutputTokens, call.CachedInputTokens, call.CacheWriteTokens, call.ReasoningTokens);
        var tier = call.ServiceTier == "batch" ? ServiceTier.Batch : ServiceTier.Standard;
        AzureDeploymentType? deploymentType = call.DeploymentType switch { "data-zone" => AzureDeploymentType.DataZone, "global" => AzureDeploymentType.Global, _ => null };
        var outcome = new Pricer(PriceCatalog.Default).Price(new PricingRequest(call.Provider, model, call.Timestamp, usage, tier, deploymentType));
        return outcome is PricingOutcome.Priced priced ? priced.Cost : throw new Xunit.Sdk.XunitException($"{call.Provider}/{model} is unpriced: {outcome}");
    }

    private static double ErrorRate(IReadOnlyCollection<DemoCall> calls) => calls.Count(c => c.Status == "error") / (double)calls.Count;

    private static double Mean(IEnumerable<DemoCall> calls, Func<DemoCall, long> value) => calls.Average(value);

    private static double Median(IReadOnlyList<DemoCall> calls, Func<DemoCall, long> value) => calls.Select(value).Order().ElementAt(calls.Count / 2);
}
