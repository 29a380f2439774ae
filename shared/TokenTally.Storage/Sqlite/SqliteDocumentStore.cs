using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using TokenTally.Storage.Documents;

namespace TokenTally.Storage.Sqlite;

/// <summary>
/// The local document store: one SQLite table keyed by (container, partition key, id), with the
/// range key indexed for partition range reads. Expired documents are invisible at once and
/// removed by <see cref="PurgeExpiredAsync"/>.
/// </summary>
public sealed class SqliteDocumentStore : IDocumentStore
{
    private readonly string _connectionString;
    private readonly TimeProvider _time;

    private readonly Lazy<Task> _schema;

    /// <summary>A store on <paramref name="databasePath"/>; the file and its schema are created on first use.</summary>
    public SqliteDocumentStore(string databasePath, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        SQLitePCL.Batteries_V2.Init();
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(databasePath),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _time = time;
        _schema = new Lazy<Task>(() => CreateSchemaAsync(databasePath));
    }

    private async Task CreateSchemaAsync(string databasePath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(databasePath))!);
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, null, """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS documents (
                container  TEXT NOT NULL,
                pk         TEXT NOT NULL,
                id         TEXT NOT NULL,
                rk         TEXT NULL,
                data       TEXT NOT NULL,
                etag       TEXT NOT NULL,
                ttl_s      INTEGER NULL,
                expires_at INTEGER NULL,
                PRIMARY KEY (container, pk, id)
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS documents_range ON documents (container, pk, rk);
            CREATE INDEX IF NOT EXISTS documents_expiry ON documents (expires_at) WHERE expires_at IS NOT NULL;
            """, CancellationToken.None);
    }

    public async Task<StoredDocument?> GetAsync(DocumentContainer container, string partitionKey, string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT pk, id, rk, data, etag, ttl_s FROM documents WHERE container = $c AND pk = $pk AND id = $id AND (expires_at IS NULL OR expires_at > $now)";
        AddKey(command, container, partitionKey, id);
        command.Parameters.AddWithValue("$now", NowMs());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadDocument(reader) : null;
    }

    public async Task<WriteResult> UpsertAsync(DocumentContainer container, DocumentWrite document, WriteCondition condition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await DeleteIfExpiredAsync(connection, transaction, container, document.PartitionKey, document.Id, cancellationToken);
        var current = await ReadETagAsync(connection, transaction, container, document.PartitionKey, document.Id, cancellationToken);
        var refusal = condition switch
        {
            WriteCondition.Absent when current is not null => WriteStatus.Conflict,
            WriteCondition.Matching when current is null => WriteStatus.NotFound,
            WriteCondition.Matching m when m.ETag != current => WriteStatus.PreconditionFailed,
            _ => (WriteStatus?)null,
        };
        if (refusal is { } status)
        {
            return WriteResult.Failed(status);
        }

        var etag = NewETag();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO documents (container, pk, id, rk, data, etag, ttl_s, expires_at)
            VALUES ($c, $pk, $id, $rk, $data, $etag, $ttl, $exp)
            ON CONFLICT (container, pk, id) DO UPDATE SET rk = $rk, data = $data, etag = $etag, ttl_s = $ttl, expires_at = $exp
            """;
        AddKey(command, container, document.PartitionKey, document.Id);
        command.Parameters.AddWithValue("$rk", (object?)document.RangeKey ?? DBNull.Value);
        command.Parameters.AddWithValue("$data", document.Data.ToJsonString());
        command.Parameters.AddWithValue("$etag", etag);
        AddExpiry(command, document.TimeToLive);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return WriteResult.Success(etag, created: current is null);
    }

    public async Task<IReadOnlyList<WriteResult>> UpsertManyAsync(DocumentContainer container, IReadOnlyList<DocumentWrite> documents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var results = new WriteResult[documents.Count];
        if (documents.Count == 0)
        {
            return results;
        }

        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);

        // Insert first; when the key exists (changes() = 0), update: that tells created from replaced.
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO documents (container, pk, id, rk, data, etag, ttl_s, expires_at) VALUES ($c, $pk, $id, $rk, $data, $etag, $ttl, $exp)
            ON CONFLICT (container, pk, id) DO NOTHING
            """;
        await using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = "UPDATE documents SET rk = $rk, data = $data, etag = $etag, ttl_s = $ttl, expires_at = $exp WHERE container = $c AND pk = $pk AND id = $id";
        var parameters = new[] { "$c", "$pk", "$id", "$rk", "$data", "$etag", "$ttl", "$exp" };
        foreach (var name in parameters)
        {
            insert.Parameters.Add(new SqliteParameter { ParameterName = name });
            update.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        await insert.PrepareAsync(cancellationToken);
        await update.PrepareAsync(cancellationToken);
        var containerName = DocumentContainerNames.Of(container);
        var now = NowMs();
        for (var i = 0; i < documents.Count; i++)
        {
            var document = documents[i];
            ArgumentException.ThrowIfNullOrEmpty(document.PartitionKey);
            ArgumentException.ThrowIfNullOrEmpty(document.Id);
            var etag = NewETag();
            object?[] values =
            [
                containerName, document.PartitionKey, document.Id, (object?)document.RangeKey ?? DBNull.Value, document.Data.ToJsonString(), etag,
                document.TimeToLive is { } ttl ? (long)Math.Ceiling(ttl.TotalSeconds) : DBNull.Value,
                document.TimeToLive is { } expiry ? now + (long)expiry.TotalMilliseconds : DBNull.Value,
            ];
            for (var p = 0; p < values.Length; p++)
            {
                insert.Parameters[p].Value = values[p];
                update.Parameters[p].Value = values[p];
            }

            var created = await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
            if (!created)
            {
                await update.ExecuteNonQueryAsync(cancellationToken);
            }

            results[i] = WriteResult.Success(etag, created);
        }

        await transaction.CommitAsync(cancellationToken);
        return results;
    }

    public async Task<WriteResult> PatchAsync(DocumentContainer container, string partitionKey, string id, IReadOnlyList<PatchOperation> operations, string? ifMatch, CancellationToken cancellationToken)
    {
        JsonPatchApplier.Validate(operations);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await DeleteIfExpiredAsync(connection, transaction, container, partitionKey, id, cancellationToken);

        StoredDocument? current;
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = "SELECT pk, id, rk, data, etag, ttl_s FROM documents WHERE container = $c AND pk = $pk AND id = $id";
            AddKey(read, container, partitionKey, id);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            current = await reader.ReadAsync(cancellationToken) ? ReadDocument(reader) : null;
        }

        if (current is null)
        {
            return WriteResult.Failed(WriteStatus.NotFound);
        }

        if (ifMatch is not null && ifMatch != current.ETag)
        {
            return WriteResult.Failed(WriteStatus.PreconditionFailed);
        }

        var patched = JsonPatchApplier.Apply(current.Data, operations);
        var etag = NewETag();
        await using var write = connection.CreateCommand();
        write.Transaction = transaction;
        write.CommandText = "UPDATE documents SET data = $data, etag = $etag, expires_at = $exp WHERE container = $c AND pk = $pk AND id = $id";
        AddKey(write, container, partitionKey, id);
        write.Parameters.AddWithValue("$data", patched.ToJsonString());
        write.Parameters.AddWithValue("$etag", etag);
        write.Parameters.AddWithValue("$exp", current.TimeToLive is { } ttl ? NowMs() + (long)ttl.TotalMilliseconds : DBNull.Value);
        await write.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return WriteResult.Success(etag);
    }

    public async Task<WriteResult> DeleteAsync(DocumentContainer container, string partitionKey, string id, string? ifMatch, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await DeleteIfExpiredAsync(connection, transaction, container, partitionKey, id, cancellationToken);
        var current = await ReadETagAsync(connection, transaction, container, partitionKey, id, cancellationToken);
        if (current is null)
        {
            return WriteResult.Failed(WriteStatus.NotFound);
        }

        if (ifMatch is not null && ifMatch != current)
        {
            return WriteResult.Failed(WriteStatus.PreconditionFailed);
        }

        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM documents WHERE container = $c AND pk = $pk AND id = $id";
        AddKey(command, container, partitionKey, id);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return WriteResult.Success(current);
    }

    public async IAsyncEnumerable<StoredDocument> QueryPartitionAsync(DocumentContainer container, string partitionKey, RangeKeyFilter range, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(range);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT pk, id, rk, data, etag, ttl_s FROM documents WHERE container = $c AND pk = $pk AND (expires_at IS NULL OR expires_at > $now)"
            + (range.From is null ? string.Empty : " AND rk >= $from")
            + (range.To is null ? string.Empty : " AND rk < $to");
        command.Parameters.AddWithValue("$c", DocumentContainerNames.Of(container));
        command.Parameters.AddWithValue("$pk", partitionKey);
        command.Parameters.AddWithValue("$now", NowMs());
        if (range.From is not null)
        {
            command.Parameters.AddWithValue("$from", range.From);
        }

        if (range.To is not null)
        {
            command.Parameters.AddWithValue("$to", range.To);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return ReadDocument(reader);
        }
    }

    /// <summary>Deletes every expired document; returns how many. The local stand-in for Cosmos DB's TTL sweeper.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM documents WHERE expires_at IS NOT NULL AND expires_at <= $now";
        command.Parameters.AddWithValue("$now", NowMs());
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        await _schema.Value.WaitAsync(cancellationToken);
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, "PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL;", cancellationToken);
        return connection;
    }

    private async Task DeleteIfExpiredAsync(SqliteConnection connection, SqliteTransaction transaction, DocumentContainer container, string partitionKey, string id, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM documents WHERE container = $c AND pk = $pk AND id = $id AND expires_at IS NOT NULL AND expires_at <= $now";
        AddKey(command, container, partitionKey, id);
        command.Parameters.AddWithValue("$now", NowMs());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<string?> ReadETagAsync(SqliteConnection connection, SqliteTransaction transaction, DocumentContainer container, string partitionKey, string id, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT etag FROM documents WHERE container = $c AND pk = $pk AND id = $id";
        AddKey(command, container, partitionKey, id);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void AddKey(SqliteCommand command, DocumentContainer container, string partitionKey, string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(partitionKey);
        ArgumentException.ThrowIfNullOrEmpty(id);
        command.Parameters.AddWithValue("$c", DocumentContainerNames.Of(container));
        command.Parameters.AddWithValue("$pk", partitionKey);
        command.Parameters.AddWithValue("$id", id);
    }

    private void AddExpiry(SqliteCommand command, TimeSpan? timeToLive)
    {
        if (timeToLive is { } ttl)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero, nameof(timeToLive));
            command.Parameters.AddWithValue("$ttl", (long)Math.Ceiling(ttl.TotalSeconds));
            command.Parameters.AddWithValue("$exp", NowMs() + (long)ttl.TotalMilliseconds);
        }
        else
        {
            command.Parameters.AddWithValue("$ttl", DBNull.Value);
            command.Parameters.AddWithValue("$exp", DBNull.Value);
        }
    }

    private static StoredDocument ReadDocument(SqliteDataReader reader) => new(
        PartitionKey: reader.GetString(0),
        Id: reader.GetString(1),
        RangeKey: reader.IsDBNull(2) ? null : reader.GetString(2),
        Data: JsonNode.Parse(reader.GetString(3)) as JsonObject ?? [],
        ETag: reader.GetString(4),
        TimeToLive: reader.IsDBNull(5) ? null : TimeSpan.FromSeconds(reader.GetInt64(5)));

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static string NewETag() => Guid.NewGuid().ToString("N");
}
