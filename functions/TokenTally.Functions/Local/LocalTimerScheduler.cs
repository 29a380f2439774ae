using System.Text.Json;
using Microsoft.Extensions.Options;
using TokenTally.Core.Scheduling;
using TokenTally.Functions.Hosting;
using TokenTally.Functions.Invocations;

namespace TokenTally.Functions.Local;

/// <summary>
/// Local mode's stand-in for the host's timer triggers: fires every timerTrigger function on the
/// NCRONTAB schedule in its function.json, with the payload the host would send, and applies the
/// function's retry policy on failure.
/// </summary>
internal sealed partial class LocalTimerScheduler(
    FunctionCatalog catalog,
    FunctionInvoker invoker,
    HostingEnvironment hosting,
    IOptions<LocalOptions> options,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<LocalTimerScheduler> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!hosting.IsLocal || !options.Value.RunScheduler)
        {
            return Task.CompletedTask;
        }

        var timers = catalog.Functions
            .Where(f => f.Trigger.Type.Equals("timerTrigger", StringComparison.OrdinalIgnoreCase))
            .Select(f => RunScheduleAsync(f, ResolveSchedule(f), stoppingToken));
        return Task.WhenAll(timers);
    }

    /// <summary>A schedule may be <c>%SettingName%</c>, read from configuration as the host does.</summary>
    private NCrontabSchedule ResolveSchedule(FunctionDescriptor function)
    {
        var expression = function.Trigger.Schedule ?? throw new InvalidOperationException($"{function.Name}/function.json: timerTrigger has no schedule.");
        if (expression.Length > 2 && expression.StartsWith('%') && expression.EndsWith('%'))
        {
            var setting = expression[1..^1];
            expression = configuration[setting] ?? throw new InvalidOperationException($"{function.Name}/function.json: schedule setting '{setting}' is not configured.");
        }

        return NCrontabSchedule.TryParse(expression, out var schedule, out var error)
            ? schedule
            : throw new InvalidOperationException($"{function.Name}/function.json: {error}");
    }

    private async Task RunScheduleAsync(FunctionDescriptor function, NCrontabSchedule schedule, CancellationToken stoppingToken)
    {
        DateTimeOffset? last = null;
        if (function.Trigger.RunOnStartup)
        {
            await FireAsync(function, schedule, time.GetUtcNow(), last, stoppingToken);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var due = schedule.GetNextOccurrence(time.GetUtcNow());
            LogNextFiring(logger, function.Name, due);
            try
            {
                await Task.Delay(Max(due - time.GetUtcNow(), TimeSpan.Zero), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await FireAsync(function, schedule, due, last, stoppingToken);
            last = due;
        }
    }

    private async Task FireAsync(FunctionDescriptor function, NCrontabSchedule schedule, DateTimeOffset due, DateTimeOffset? last, CancellationToken stoppingToken)
    {
        var retries = function.Retry?.MaxRetryCount ?? 0;
        for (var attempt = 0; !stoppingToken.IsCancellationRequested; attempt++)
        {
            var request = TimerPayload(function, schedule, due, last, attempt, retries);
            var outcome = await invoker.InvokeAsync(function, request, Guid.NewGuid().ToString(), stoppingToken);
            if (outcome.Result is not InvocationResult.Failed failed)
            {
                return;
            }

            if (attempt >= retries && retries != -1)
            {
                LogGaveUp(logger, function.Name, attempt + 1, failed.Reason);
                return;
            }

            await Task.Delay(function.Retry!.DelayBefore(attempt + 1), time, stoppingToken);
        }
    }

    /// <summary>The payload the host sends for a timer: Data.&lt;name&gt; is TimerInfo, Metadata has sys (and RetryContext on a retry).</summary>
    private InvocationRequest TimerPayload(FunctionDescriptor function, NCrontabSchedule schedule, DateTimeOffset due, DateTimeOffset? last, int retry, int maxRetries)
    {
        var now = time.GetUtcNow();
        var timerInfo = new
        {
            Schedule = new { AdjustForDST = true },
            ScheduleStatus = new { Last = last ?? due, Next = schedule.GetNextOccurrence(due), LastUpdated = now },
            IsPastDue = now - due > TimeSpan.FromSeconds(30),
        };
        var metadata = new Dictionary<string, JsonElement>
        {
            ["sys"] = JsonSerializer.SerializeToElement(new { MethodName = function.Name, UtcNow = now, RandGuid = Guid.NewGuid() }),
        };
        if (retry > 0)
        {
            metadata["RetryContext"] = JsonSerializer.SerializeToElement(new { RetryCount = retry, MaxRetryCount = maxRetries });
        }

        return new InvocationRequest(
            new Dictionary<string, JsonElement> { [function.Trigger.Name] = JsonSerializer.SerializeToElement(timerInfo) },
            metadata);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Timer function {FunctionName} fires next at {Due:O}")]
    private static partial void LogNextFiring(ILogger logger, string functionName, DateTimeOffset due);

    [LoggerMessage(Level = LogLevel.Error, Message = "Timer function {FunctionName} failed after {Attempts} attempts: {Reason}")]
    private static partial void LogGaveUp(ILogger logger, string functionName, int attempts, string reason);
}
