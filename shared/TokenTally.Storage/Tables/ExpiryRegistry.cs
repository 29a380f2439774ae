using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using TokenTally.Storage.Documents;

namespace TokenTally.Storage.Tables;

/// <summary>
/// Which partitions hold documents that expire in which hour: a row per container, expiry hour and partition, written before
/// the documents. The purge reads the rows of the hours gone by and then only those partitions, instead of scanning every
/// table for expired entities. A call's partition is its tenant-hour and its expiry follows from its own timestamp, so
/// one row stands for a whole partition of calls.
/// </summary>
internal sealed class ExpiryRegistry(TableClient table)
{
    public TableClient Table => table;

    /// <summary>Records the partitions of <paramref name="entities"/> that expire, pointer partitions aside (their items go with their documents).</summary>
    public async Task RegisterAsync(DocumentContainer container, IEnumerable<TableEntity> entities, CancellationToken cancellationToken)
    {
        var rows = entities
            .Where(e => e.GetDateTimeOffset(TableEntityCodec.ExpiresAt) is not null && !PointWrites.IsPointerPartition(TableEntityCodec.DecodeKey(e.PartitionKey)))
            .Select(e => new TableEntity(RowPartition(container, e.GetDateTimeOffset(TableEntityCodec.ExpiresAt)!.Value), e.PartitionKey))
            .DistinctBy(row => (row.PartitionKey, row.RowKey));
        foreach (var hour in rows.GroupBy(row => row.PartitionKey, StringComparer.Ordinal))
        {
            foreach (var batch in hour.Chunk(TableDocumentStore.MaxBatchOperations))
            {
                try
                {
                    await table.SubmitTransactionAsync(batch.Select(row => new TableTransactionAction(TableTransactionActionType.UpsertReplace, row)), cancellationToken);
                }
                catch (RequestFailedException e) when (e.ErrorCode == "TableNotFound")
                {
                    throw TableDocumentStore.MissingTable(table, e);
                }
            }
        }
    }

    /// <summary>The rows of expiry hours that ended by <paramref name="now"/>: each names a partition (as stored, encoded) to purge.</summary>
    public async IAsyncEnumerable<TableEntity> DueAsync(DocumentContainer container, DateTimeOffset now, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {RowPartitionPrefix(container)} and PartitionKey lt {RowPartition(container, now)}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            yield return row;
        }
    }

    /// <summary>Forgets a row once its partition has been purged.</summary>
    public async Task RemoveAsync(TableEntity row, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.NotFound or (int)HttpStatusCode.PreconditionFailed)
        {
            // Another purge removed it first.
        }
    }

    private static string RowPartitionPrefix(DocumentContainer container) => DocumentContainerNames.Of(container) + "|";

    private static string RowPartition(DocumentContainer container, DateTimeOffset expiresAt) =>
        RowPartitionPrefix(container) + expiresAt.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);
}
