using System.Text.Json;
using TokenTally.Functions.Invocations;
using TokenTally.Storage.Queues;

namespace TokenTally.Functions.Pipeline;

/// <summary>One hour of a backfill, as queued by POST /api/v1/pipeline/runs.</summary>
public sealed record PipelineWorkItem(DateTimeOffset Hour, bool Reprice);

/// <summary>
/// The queue-triggered worker of a backfill: reprices the hour's stored calls when asked, then runs
/// the hour's pipeline again. A failure answers 500, so the host redelivers (and poisons after five tries).
/// </summary>
public sealed class PipelineWorkerFunction(HourlyPipelineRunner runner, RepriceService reprice) : QueueFunction
{
    public const string Name = "PipelineWorker";
    public const string QueueName = "pipeline-work";

    /// <summary>Queues one work item per hour of [<paramref name="from"/>, <paramref name="to"/>) (whole UTC hours); returns how many.</summary>
    public static async Task<int> QueueHoursAsync(IMessageQueue queue, DateTimeOffset from, DateTimeOffset to, bool reprice, CancellationToken cancellationToken)
    {
        var hours = 0;
        for (var hour = from; hour < to; hour = hour.AddHours(1), hours++)
        {
            await queue.SendAsync(QueueName, JsonSerializer.Serialize(new PipelineWorkItem(hour, reprice), PipelineRunStore.Json), null, cancellationToken);
        }

        return hours;
    }

    public override string FunctionName => Name;

    protected override async Task<InvocationResult> RunAsync(QueueInvocation message, InvocationContext context, CancellationToken cancellationToken)
    {
        PipelineWorkItem? item;
        try
        {
            item = JsonSerializer.Deserialize<PipelineWorkItem>(message.Message, PipelineRunStore.Json);
        }
        catch (JsonException e)
        {
            item = null;
            context.Log($"Unreadable work item: {e.Message}");
        }

        if (item is null || item.Hour.Offset != TimeSpan.Zero || item.Hour.Ticks % TimeSpan.TicksPerHour != 0)
        {
            var errors = new FieldErrors();
            errors.Add("Data.item", "A work item is {\"hour\": \"<whole UTC hour>\", \"reprice\": bool}.");
            return new InvocationResult.Invalid(errors);
        }

        var repriced = item.Reprice ? await reprice.RepriceHourAsync(item.Hour, cancellationToken) : 0;
        var report = await runner.RunAsync(item.Hour, "backfill", cancellationToken, rerun: true);
        context.Log($"Backfill {report.Run.Id}: {report.Outcome}, {repriced} calls repriced.");
        return report.Outcome is RunOutcome.Failed or RunOutcome.HeldElsewhere
            ? new InvocationResult.Failed($"Backfill of {report.Run.Id} ended {report.Outcome}; the host will retry.")
            : InvocationResult.Done();
    }
}
