using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using TokenTally.Application.Json;
using TokenTally.Core.Rollups;
using TokenTally.Core.Sketches;
using TokenTally.Storage.Documents;

namespace TokenTally.Application.Rollups;

/// <summary>A rollup row as stored: its cube, hour and key, exact totals, and the two sketches (see <see cref="StoredSketch"/>).</summary>
[JsonConverter(typeof(StoredRollupRowJsonConverter))]
public sealed record StoredRollupRow(
    string Cube,
    DateTimeOffset Hour,
    string[] Key,
    RollupTotals Totals,
    DDSketch Latency,
    DDSketch TimeToFirstToken);

/// <summary>
/// Rollup rows in the rollups container (partition = tenant). A row's id is deterministic
/// (cube, hour, key), and replacing an hour deletes the rows the new rollup no longer has, so a
/// recompute is an exact overwrite.
/// </summary>
public sealed class RollupStore(IDocumentStore store)
{
    private static readonly JsonSerializerOptions Json = TokenTallyJson.Options;

    public static string RangeKey(Cube cube, DateTimeOffset hour) => $"{cube.Name}|{TimeBuckets.HourKey(hour)}";

    /// <summary>Day rows live beside hour rows under <c>cube|d|yyyy-MM-dd</c>, so long queries read a day's row instead of 24.</summary>
    public static string DayRangeKey(Cube cube, DateTimeOffset day) => $"{cube.Name}|d|{day.UtcDateTime:yyyy-MM-dd}";

    /// <summary>Replaces an hour's rows, then the UTC day rows built from that day's hours.</summary>
    public async Task ReplaceHourAsync(string tenant, DateTimeOffset hour, IReadOnlyList<RollupRow> rows, CancellationToken cancellationToken)
    {
        await ReplaceAsync(tenant, rows.Select(row => new DocumentWrite(tenant, RowId(RangeKey(row.Cube, hour), row.Key), ToData(row, hour), RangeKey(row.Cube, hour))).ToList(),
            Cube.All.Select(c => RangeKey(c, hour)), cancellationToken);

        var day = new DateTimeOffset(hour.UtcDateTime.Date, TimeSpan.Zero);
        var dayRows = new List<DocumentWrite>();
        foreach (var cube in Cube.All)
        {
            var merged = new Dictionary<string, RollupRow>(StringComparer.Ordinal);
            await foreach (var row in ReadAsync(tenant, cube, day, day.AddDays(1), cancellationToken))
            {
                var id = HourRollup.RowKey(row.Key);
                if (!merged.TryGetValue(id, out var sum))
                {
                    merged[id] = sum = new RollupRow(cube, row.Key);
                }

                sum.Merge(row);
            }

            dayRows.AddRange(merged.Values.Select(row => new DocumentWrite(tenant, RowId(DayRangeKey(cube, day), row.Key), ToData(row, day), DayRangeKey(cube, day))));
        }

        await ReplaceAsync(tenant, dayRows, Cube.All.Select(c => DayRangeKey(c, day)), cancellationToken);
    }

    /// <summary>The day rows of one cube for the UTC days in [from, to) (both whole days).</summary>
    public IAsyncEnumerable<(DateTimeOffset Day, RollupRow Row)> ReadDailyAsync(string tenant, Cube cube, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        ReadRangeAsync(tenant, cube, DayRangeKey(cube, from), DayRangeKey(cube, to), cancellationToken);

    private async Task ReplaceAsync(string tenant, List<DocumentWrite> writes, IEnumerable<string> rangeKeys, CancellationToken cancellationToken)
    {
        var keep = writes.Select(w => w.Id).ToHashSet(StringComparer.Ordinal);
        await store.UpsertManyAsync(DocumentContainer.Rollups, writes, cancellationToken);
        foreach (var prefix in rangeKeys)
        {
            await foreach (var existing in store.QueryPartitionAsync(DocumentContainer.Rollups, tenant, new RangeKeyFilter(prefix, prefix + "\0"), cancellationToken))
            {
                if (!keep.Contains(existing.Id))
                {
                    await store.DeleteAsync(DocumentContainer.Rollups, tenant, existing.Id, null, cancellationToken);
                }
            }
        }
    }

    /// <summary>The rows of one cube for the hours in [from, to).</summary>
    public async IAsyncEnumerable<RollupRow> ReadAsync(string tenant, Cube cube, DateTimeOffset from, DateTimeOffset to, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var document in store.QueryPartitionAsync(DocumentContainer.Rollups, tenant, new RangeKeyFilter(RangeKey(cube, from), RangeKey(cube, to)), cancellationToken))
        {
            var stored = document.As<StoredRollupRow>(Json)!;
            yield return RollupRow.Restore(cube, stored.Key, stored.Totals, stored.Latency, stored.TimeToFirstToken);
        }
    }

    /// <summary>The rows of one cube for the hours in [from, to), with each row's hour.</summary>
    public IAsyncEnumerable<(DateTimeOffset Hour, RollupRow Row)> ReadHourlyAsync(string tenant, Cube cube, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        ReadRangeAsync(tenant, cube, RangeKey(cube, from), RangeKey(cube, to), cancellationToken);

    private async IAsyncEnumerable<(DateTimeOffset Start, RollupRow Row)> ReadRangeAsync(string tenant, Cube cube, string fromKey, string toKey, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var document in store.QueryPartitionAsync(DocumentContainer.Rollups, tenant, new RangeKeyFilter(fromKey, toKey), cancellationToken))
        {
            var stored = document.As<StoredRollupRow>(Json)!;
            yield return (stored.Hour, RollupRow.Restore(cube, stored.Key, stored.Totals, stored.Latency, stored.TimeToFirstToken));
        }
    }

    private static JsonObject ToData(RollupRow row, DateTimeOffset hour) =>
        JsonSerializer.SerializeToNode(new StoredRollupRow(row.Cube.Name, hour, row.Key.ToArray(), row.Totals, row.Latency, row.TimeToFirstToken), Json)!.AsObject();

    private static string RowId(string rangeKey, IReadOnlyList<string> key) =>
        $"{rangeKey}|{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(HourRollup.RowKey(key))))[..32]}";
}
