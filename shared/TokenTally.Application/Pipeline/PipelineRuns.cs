using System.Text.RegularExpressions;
using Microsoft.DurableTask.Client;

namespace TokenTally.Application.Pipeline;

/// <summary>A run as the API shows it, read from its orchestration: status, and the record of its steps or its progress.</summary>
/// <param name="Id">The instance id: <c>hourly-yyyyMMddHH</c>, <c>backfill-…</c>, or <c>backfill-…-hyyyyMMddHH</c> for one hour of a backfill.</param>
/// <param name="Kind">hourly, backfill or backfill-hour.</param>
/// <param name="Status">pending, running, completed, failed, terminated or suspended.</param>
/// <param name="CreatedAt">When the run was started.</param>
/// <param name="LastUpdatedAt">When it last made progress.</param>
/// <param name="Hour">An hour run's record of its steps.</param>
/// <param name="Backfill">A backfill's progress.</param>
/// <param name="Failure">Why a failed run failed.</param>
public sealed record RunView(
    string Id,
    string Kind,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    HourRunReport? Hour,
    BackfillReport? Backfill,
    string? Failure);

/// <summary>Reads runs from the orchestrations' status, in both hosts through the Durable Task client.</summary>
public static partial class PipelineRuns
{
    /// <summary>Hourly runs and backfills created in [<paramref name="from"/>, <paramref name="to"/>), newest first (a backfill's hours are listed under their own ids).</summary>
    public static async Task<IReadOnlyList<RunView>> ListAsync(DurableTaskClient client, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var runs = new List<RunView>();
        foreach (var prefix in new[] { "hourly-", "backfill-" })
        {
            var query = new OrchestrationQuery { InstanceIdPrefix = prefix, CreatedFrom = from, CreatedTo = to, FetchInputsAndOutputs = true };
            await foreach (var instance in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken))
            {
                if (!BackfillHourId().IsMatch(instance.InstanceId))
                {
                    runs.Add(ToView(instance));
                }
            }
        }

        return runs.OrderByDescending(r => r.CreatedAt).ToList();
    }

    public static async Task<RunView?> GetAsync(DurableTaskClient client, string id, CancellationToken cancellationToken)
    {
        var instance = await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken);
        return instance is null || !(id.StartsWith("hourly-", StringComparison.Ordinal) || id.StartsWith("backfill-", StringComparison.Ordinal)) ? null : ToView(instance);
    }

    private static RunView ToView(OrchestrationMetadata instance)
    {
        var kind = instance.InstanceId.StartsWith("hourly-", StringComparison.Ordinal) ? "hourly" : BackfillHourId().IsMatch(instance.InstanceId) ? "backfill-hour" : "backfill";
        var done = instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed;
        HourRunReport? hour = null;
        BackfillReport? backfill = null;
        if (kind == "backfill")
        {
            backfill = done ? instance.ReadOutputAs<BackfillReport>() : instance.ReadCustomStatusAs<BackfillReport>();
        }
        else
        {
            hour = done ? instance.ReadOutputAs<HourRunReport>() : instance.ReadCustomStatusAs<HourRunReport>();
        }

        return new RunView(instance.InstanceId, kind, StatusName(instance.RuntimeStatus), instance.CreatedAt, instance.LastUpdatedAt, hour, backfill, instance.FailureDetails?.ErrorMessage);
    }

    private static string StatusName(OrchestrationRuntimeStatus status) => status switch
    {
        OrchestrationRuntimeStatus.Pending => "pending",
        OrchestrationRuntimeStatus.Completed => "completed",
        OrchestrationRuntimeStatus.Failed => "failed",
        OrchestrationRuntimeStatus.Terminated => "terminated",
        OrchestrationRuntimeStatus.Suspended => "suspended",
        _ => "running",
    };

    [GeneratedRegex(@"^backfill-.+-h\d{10}$")]
    private static partial Regex BackfillHourId();
}
