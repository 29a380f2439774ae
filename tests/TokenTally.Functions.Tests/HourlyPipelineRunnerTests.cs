using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TokenTally.Core.Pipeline;
using TokenTally.Functions.Hosting;
using TokenTally.Functions.Pipeline;
using TokenTally.Functions.Tests.Infrastructure;
using TokenTally.Storage.Sqlite;
using TokenTally.Testing;

namespace TokenTally.Functions.Tests;

/// <summary>The run machinery: a run record per hour, a lease, resumption at the first unfinished step.</summary>
public sealed class HourlyPipelineRunnerTests : IDisposable
{
    private static readonly DateTimeOffset Hour = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Hour.AddMinutes(65));
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tokentally-runner-" + Guid.NewGuid().ToString("N"));
    private readonly PipelineRunStore _runs;

    public HourlyPipelineRunnerTests() => _runs = new PipelineRunStore(new SqliteDocumentStore(Path.Combine(_directory, "runs.db"), _time));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StepsWithoutAnImplementationAreRecordedAsNotConfigured()
    {
        var report = await CreateSut().RunAsync(Hour, "manual", Ct);

        Assert.Equal(RunOutcome.Completed, report.Outcome);
        Assert.All(report.Run.Steps, s => Assert.Equal(StepStatus.NotConfigured, s.Status));
        Assert.Equal(RunStatus.Succeeded, (await _runs.GetAsync(Hour, Ct))!.Run.Status);
    }

    [Fact]
    public async Task AFailedStepFailsTheRunAndTheNextAttemptResumesThereWithoutRepeatingFinishedSteps()
    {
        var rollup = new CountingStep(PipelineSteps.Rollup, failures: 0);
        var budgets = new CountingStep(PipelineSteps.Budgets, failures: 1);
        var runner = CreateSut(rollup, budgets);

        var first = await runner.RunAsync(Hour, "timer", Ct);
        var second = await runner.RunAsync(Hour, "timer", Ct);

        Assert.Equal(RunOutcome.Failed, first.Outcome);
        Assert.Equal(StepStatus.Failed, first.Run.Steps[1].Status);
        Assert.Equal("budgets failed on purpose", first.Run.Steps[1].Error);
        Assert.Equal(RunOutcome.Completed, second.Outcome);
        Assert.Equal(2, second.Run.Attempts);
        Assert.Equal(1, rollup.Runs);
        Assert.Equal(2, budgets.Runs);
        Assert.Equal(2, second.Run.Steps[1].Attempts);
        Assert.Null(second.Run.Steps[1].Error);
    }

    [Fact]
    public async Task AStepThatFailsTwiceSucceedsOnItsThirdAttemptWithinOneRun()
    {
        var flaky = new CountingStep(PipelineSteps.Rollup, failures: 2);

        var report = await CreateSut(3, flaky).RunAsync(Hour, "timer", Ct);

        Assert.Equal(RunOutcome.Completed, report.Outcome);
        Assert.Equal(3, flaky.Runs);
        Assert.Equal(3, report.Run.Steps[0].Attempts);
        Assert.Equal(StepStatus.Succeeded, report.Run.Steps[0].Status);
    }

    [Fact]
    public async Task ARerunOfACompletedHourRunsEveryStepAgain()
    {
        var step = new CountingStep(PipelineSteps.Rollup, failures: 0);
        var runner = CreateSut(step);
        await runner.RunAsync(Hour, "timer", Ct);

        var again = await runner.RunAsync(Hour, "backfill", Ct, rerun: true);

        Assert.Equal(RunOutcome.Completed, again.Outcome);
        Assert.Equal(2, step.Runs);
        Assert.Equal("backfill", again.Run.Trigger);
        Assert.Equal(2, again.Run.Attempts);
    }

    [Fact]
    public async Task AnHourHeldByAnotherInstanceIsLeftAloneUntilItsLeaseExpires()
    {
        await _runs.CreateAsync(PipelineRun.Start(Hour, "timer", _time.GetUtcNow()), Ct);
        var step = new CountingStep(PipelineSteps.Rollup, failures: 0);
        var runner = CreateSut(step);

        var whileHeld = await runner.RunAsync(Hour, "timer", Ct);
        _time.Advance(TimeSpan.FromMinutes(16));
        var afterExpiry = await runner.RunAsync(Hour, "timer", Ct);

        Assert.Equal(RunOutcome.HeldElsewhere, whileHeld.Outcome);
        Assert.Equal(RunOutcome.Completed, afterExpiry.Outcome);
        Assert.Equal(1, step.Runs);
    }

    [Fact]
    public async Task RunsADeadInstanceLeftRunningAreResumedOnceTheirLeaseExpiresAndOthersAreLeftAlone()
    {
        var started = _time.GetUtcNow();
        var interrupted = PipelineRun.Start(Hour.AddHours(-2), "backfill", started).BeginStep(PipelineSteps.Rollup, started).CompleteStep(PipelineSteps.Rollup, started);
        await _runs.CreateAsync(interrupted, Ct);
        await _runs.CreateAsync(PipelineRun.Start(Hour.AddHours(-5), "backfill", started).BeginStep(PipelineSteps.Rollup, started).FailStep(PipelineSteps.Rollup, "stopped on purpose", started).Complete(started), Ct);
        var rollup = new CountingStep(PipelineSteps.Rollup, failures: 0);
        var archive = new CountingStep(PipelineSteps.Archive, failures: 0);
        var runner = CreateSut(rollup, archive);

        var whileLeased = await runner.ResumeInterruptedAsync(Ct);
        _time.Advance(TimeSpan.FromMinutes(16));
        await _runs.CreateAsync(PipelineRun.Start(Hour.AddHours(-1), "timer", _time.GetUtcNow()), Ct);
        var afterExpiry = await runner.ResumeInterruptedAsync(Ct);

        Assert.Empty(whileLeased);
        var resumed = Assert.Single(afterExpiry);
        Assert.Equal(PipelineRun.IdFor(Hour.AddHours(-2)), resumed.Run.Id);
        Assert.Equal(RunOutcome.Completed, resumed.Outcome);
        Assert.Equal("resume", resumed.Run.Trigger);
        Assert.Equal(2, resumed.Run.Attempts);
        Assert.Equal(0, rollup.Runs);
        Assert.Equal(1, archive.Runs);
    }

    [Fact]
    public async Task OfConcurrentRunnersForOneHourOnlyOneDoesTheWork()
    {
        var step = new CountingStep(PipelineSteps.Rollup, failures: 0, delay: TimeSpan.FromMilliseconds(50));
        var runners = Enumerable.Range(0, 4).Select(_ => CreateSut(step)).ToList();

        var reports = await Task.WhenAll(runners.Select(r => r.RunAsync(Hour, "timer", Ct)));

        Assert.Equal(1, step.Runs);
        Assert.Single(reports, r => r.Outcome == RunOutcome.Completed);
    }

    [Fact]
    public async Task AFailedRunAnswersTheHostWithAServerErrorSoItRetries()
    {
        await using var server = new TokenTallyServer(
            new Dictionary<string, string?> { ["TokenTally:Pipeline:MaxStepAttempts"] = "1" },
            s => s.AddSingleton<IPipelineStep>(new CountingStep(PipelineSteps.Rollup, failures: 1)));
        using var client = server.Start();
        var payload = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "HostPayloads", "HourlyPipeline.json"), Ct);

        var response = await client.PostAsync("/HourlyPipeline", new StringContent(payload, Encoding.UTF8, "application/json"), Ct);
        var problem = await response.ReadProblemAsync();
        var retried = await client.PostAsync("/HourlyPipeline", new StringContent(payload, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("failed at step Rollup", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
    }

    private HourlyPipelineRunner CreateSut(params IPipelineStep[] steps) => CreateSut(1, steps);

    private HourlyPipelineRunner CreateSut(int maxStepAttempts, params IPipelineStep[] steps) =>
        new(_runs, steps, _time, Options.Create(new PipelineOptions { MaxStepAttempts = maxStepAttempts, RetryBaseDelay = TimeSpan.Zero, RetryMaxDelay = TimeSpan.Zero }), NullLogger<HourlyPipelineRunner>.Instance);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private sealed class CountingStep(string name, int failures, TimeSpan delay = default) : IPipelineStep
    {
        private int _runs;

        public string Name => name;

        public int Runs => _runs;

        public async Task RunAsync(DateTimeOffset hour, CancellationToken cancellationToken)
        {
            var run = Interlocked.Increment(ref _runs);
            await Task.Delay(delay, cancellationToken);
            if (run <= failures)
            {
                throw new InvalidOperationException($"{name.ToLowerInvariant()} failed on purpose");
            }
        }
    }
}
