using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using TokenTally.Application.Pipeline;

namespace TokenTally.Functions.Pipeline;

/// <summary>At five past every hour, starts the run of the hour that just closed (a second start of the same hour does nothing).</summary>
public sealed class HourlyTimerFunction(HourRunStarter starter)
{
    public const string Name = "HourlyTimer";

    [Function(Name)]
    [ExponentialBackoffRetry(4, "00:00:10", "00:05:00")]
    public Task RunAsync([TimerTrigger(HourRunStarter.Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        starter.StartLastClosedHourAsync(client, context.CancellationToken);
}
