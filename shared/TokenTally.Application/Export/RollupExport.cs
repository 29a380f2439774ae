using TokenTally.Application.Rollups;
using TokenTally.Core.Rollups;

namespace TokenTally.Application.Export;

/// <summary>
/// Sends a tenant-hour's rollup rows, every cube, to the custom table. Idempotent per run: a retry sends the same rows
/// under the same run and row keys, and a later run's rows supersede them in the table's queries.
/// </summary>
public sealed class RollupExport(RollupStore rollups, LogsIngestionClient client, TimeProvider time)
{
    /// <summary>Exports the hour; returns how many rows it sent.</summary>
    public async Task<int> ExportAsync(string tenant, DateTimeOffset hour, string runId, CancellationToken cancellationToken)
    {
        var exportedAt = time.GetUtcNow();
        var records = new List<RollupExportRecord>();
        foreach (var cube in Cube.All)
        {
            await foreach (var row in rollups.ReadAsync(tenant, cube, hour, hour.AddHours(1), cancellationToken))
            {
                records.Add(RollupExportRecord.From(tenant, hour, runId, exportedAt, row));
            }
        }

        await client.SendAsync(records, cancellationToken);
        return records.Count;
    }
}
