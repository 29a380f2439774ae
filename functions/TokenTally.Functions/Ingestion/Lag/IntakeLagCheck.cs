using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using TokenTally.Application.Health;

namespace TokenTally.Functions.Ingestion.Lag;

/// <summary>
/// The Event Hubs intake's consumer lag, per partition: the hub's last enqueued sequence number against the function's
/// checkpoint. Degraded, never unhealthy (the API still serves), when a partition is further behind than
/// <see cref="IntakeLagOptions.MaxEventsBehind"/>, a checkpoint is ahead of its partition, or the positions cannot be read.
/// Asks the hub and storage at most once every <see cref="ReadEvery"/>, whatever the rate of health requests.
/// </summary>
internal sealed class IntakeLagCheck(IIntakePositions positions, IOptions<IntakeLagOptions> options, TimeProvider time) : IHealthCheck
{
    public const string Name = "intake-lag";
    public static readonly TimeSpan ReadEvery = TimeSpan.FromSeconds(30);

    private readonly ProbeThrottle _throttle = new(ReadEvery, time);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        _throttle.CheckAsync(ReadAsync, cancellationToken);

    private async Task<HealthCheckResult> ReadAsync(CancellationToken cancellationToken)
    {
        List<PartitionLag> lags = [];
        try
        {
            foreach (var partition in await positions.GetPartitionsAsync(cancellationToken))
            {
                lags.Add(PartitionLag.Of(partition, await positions.GetCheckpointAsync(partition.Id, cancellationToken)));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Degraded("The intake's partitions or checkpoints could not be read.", e);
        }

        var max = options.Value.MaxEventsBehind;
        var data = lags.ToDictionary(l => l.PartitionId, l => (object)l);
        var problems = lags.Where(l => l.EventsBehind > max).Select(l => Invariant($"partition {l.PartitionId} is {l.EventsBehind:N0} events behind"))
            .Concat(lags.Where(l => l.State == CheckpointState.CheckpointAhead).Select(l => Invariant($"partition {l.PartitionId}'s checkpoint ({l.CheckpointSequenceNumber}) is ahead of its last event; was the hub recreated? Delete the checkpoint blob")))
            .ToList();
        var behind = Invariant($"{lags.Sum(l => l.EventsBehind):N0} events behind across {lags.Count} partitions (at most {max:N0} per partition)");
        return problems.Count == 0
            ? HealthCheckResult.Healthy(behind + ".", data)
            : HealthCheckResult.Degraded($"{behind}: {string.Join("; ", problems)}.", data: data);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
