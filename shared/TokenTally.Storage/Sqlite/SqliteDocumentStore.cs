using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using TokenTally.Storage.Documents;

namespace TokenTally.Storage.Sqlite;

/// <summary>
/// The local document store: one SQLite table of documents, unique by (container, partition key, id), with the
/// range key indexed for partition range reads. Expired documents are invisible at once and removed by
/// <see cref="PurgeExpiredAsync"/>.
/// </summary>
/// <remarks>
/// Rows live in a rowid table, so documents are appended to the end of the file in write order whatever their keys,
/// and only the narrow (container, partition key, id) index is kept in key order. Keyed by (container, partition
/// key, id) itself, as before, every call record with a random id landed in a page of its own and SQLite
/// rebalanced full pages of 1 KB rows around it: a batch dirtied (and the WAL rewrote) a page per record, and
/// ingestion was several times slower. The range-key index leaves out the calls container (read by whole
/// partitions only) and the expiry index is keyed by day, for the same reason.
/// </remarks>
public sealed class SqliteDocumentStore : IDocumentStore, IAsyncDisposable, IDisposable
{
    private readonly string _connectionString;
    private readonly TimeProvider _time;

    private readonly Lazy<Task> _schema;

    // Writes take turns on one long-lived connection. SQLite admits one writer at a time anyway; a connection of
    // its own keeps its page cache across writes (another connection's write empties it), and a waiting writer
    // is woken at once instead of polling the lock (busy_timeout).
    private readonly SemaphoreSlim _writeTurn = new(1, 1);
    private SqliteConnection? _writeConnection;
    private readonly WalCheckpointer _checkpointer;

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

        // A checkpoint 25 ms after writes, against the writer's every 4,000 pages (about 0.3 s of calls at 50K/s), took the
        // writer's time per call from 17 to 13 us and HTTP ingestion from 49K-54K to 58K-64K events/s.
        _checkpointer = new WalCheckpointer(OpenConnectionAsync, TimeSpan.FromMilliseconds(25));
    }

    private async Task CreateSchemaAsync(string databasePath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(databasePath))!);
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL;", CancellationToken.None);
        await ExecuteAsync(connection, null, $"""
            CREATE TABLE IF NOT EXISTS documents (
                seq        INTEGER PRIMARY KEY,
                container  TEXT NOT NULL,
                pk         TEXT NOT NULL,
                id         TEXT NOT NULL,
                rk         TEXT NULL,
                data       TEXT NOT NULL,
                etag       TEXT NOT NULL,
                ttl_s      INTEGER NULL,
                expires_at INTEGER NULL,
                lookup     TEXT NULL
            );
            CREATE UNIQUE INDEX IF NOT EXISTS documents_key ON documents (container, pk, id);
            CREATE INDEX IF NOT EXISTS documents_range_except_calls ON documents (container, pk, rk) WHERE {NotCalls};
            CREATE INDEX IF NOT EXISTS documents_expiry_day ON documents ({ExpiryDay}) WHERE expires_at IS NOT NULL;
            """, CancellationToken.None);
        // A lookup key names one document: whoever held it before lets go of it when another document takes it. An update
        // does this by trigger; inserts do it one statement per transaction (ReleaseLookupKeysTakenByInsertsAsync), since
        // a trigger on every insert cost a sixth of the write time of a batch of calls.
        await ExecuteAsync(connection, null, """
            CREATE INDEX IF NOT EXISTS documents_lookup ON documents (container, lookup) WHERE lookup IS NOT NULL;
            DROP TRIGGER IF EXISTS documents_lookup_taken_by_insert;
            CREATE TRIGGER IF NOT EXISTS documents_lookup_taken_by_update AFTER UPDATE OF lookup ON documents WHEN NEW.lookup IS NOT NULL
            BEGIN
                UPDATE documents SET lookup = NULL WHERE container = NEW.container AND lookup = NEW.lookup AND seq <> NEW.seq;
            END;
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

    public async Task<StoredDocument?> FindByLookupKeyAsync(DocumentContainer container, string lookupKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(lookupKey);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT pk, id, rk, data, etag, ttl_s FROM documents WHERE container = $c AND lookup = $lookup AND (expires_at IS NULL OR expires_at > $now)";
        command.Parameters.AddWithValue("$c", DocumentContainerNames.Of(container));
        command.Parameters.AddWithValue("$lookup", lookupKey);
        command.Parameters.AddWithValue("$now", NowMs());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadDocument(reader) : null;
    }

    public async Task<WriteResult> UpsertAsync(DocumentContainer container, DocumentWrite document, WriteCondition condition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        var data = document.DataJson;
        await using var session = await BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (session.Connection, session.Transaction);
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
        var firstNewSeq = document.LookupKey is null ? 0 : await NextSeqAsync(connection, transaction, cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO documents (container, pk, id, rk, data, etag, ttl_s, expires_at, lookup)
            VALUES ($c, $pk, $id, $rk, $data, $etag, $ttl, $exp, $lookup)
            ON CONFLICT (container, pk, id) DO UPDATE SET rk = $rk, data = $data, etag = $etag, ttl_s = $ttl, expires_at = $exp, lookup = $lookup
            """;
        AddKey(command, container, document.PartitionKey, document.Id);
        command.Parameters.AddWithValue("$rk", (object?)document.RangeKey ?? DBNull.Value);
        command.Parameters.AddWithValue("$lookup", (object?)document.LookupKey ?? DBNull.Value);
        command.Parameters.AddWithValue("$data", data);
        command.Parameters.AddWithValue("$etag", etag);
        AddExpiry(command, document.TimeToLive);
        await command.ExecuteNonQueryAsync(cancellationToken);
        if (current is null && document.LookupKey is not null)
        {
            await ReleaseLookupKeysTakenByInsertsAsync(connection, transaction, container, firstNewSeq, cancellationToken);
        }

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

        // Serialize before the transaction starts: it is CPU work that need not hold SQLite's write lock.
        var rows = new object[documents.Count][];
        var takesLookupKey = DocumentWrite.TakeLookupKeys(documents);
        var containerName = DocumentContainerNames.Of(container);
        for (var i = 0; i < documents.Count; i++)
        {
            var document = documents[i];
            ArgumentException.ThrowIfNullOrEmpty(document.PartitionKey);
            ArgumentException.ThrowIfNullOrEmpty(document.Id);
            rows[i] =
            [
                containerName, document.PartitionKey, document.Id, (object?)document.RangeKey ?? DBNull.Value, document.DataJson, NewETag(),
                document.TimeToLive is { } ttl ? (long)Math.Ceiling(ttl.TotalSeconds) : DBNull.Value, DBNull.Value,
                takesLookupKey[i] ? document.LookupKey! : DBNull.Value,
            ];
        }

        await using var session = await BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (session.Connection, session.Transaction);

        // Insert first; when the key exists (changes() = 0), update: that tells created from replaced.
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO documents (container, pk, id, rk, data, etag, ttl_s, expires_at, lookup) VALUES ($c, $pk, $id, $rk, $data, $etag, $ttl, $exp, $lookup)
            ON CONFLICT (container, pk, id) DO NOTHING
            """;
        await using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = "UPDATE documents SET rk = $rk, data = $data, etag = $etag, ttl_s = $ttl, expires_at = $exp, lookup = $lookup WHERE container = $c AND pk = $pk AND id = $id";
        foreach (var name in RowParameters)
        {
            insert.Parameters.Add(new SqliteParameter { ParameterName = name });
            update.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        await insert.PrepareAsync(cancellationToken);
        await update.PrepareAsync(cancellationToken);
        var firstNewSeq = await NextSeqAsync(connection, transaction, cancellationToken);
        var insertedLookupKey = false;
        var now = NowMs();
        for (var i = 0; i < documents.Count; i++)
        {
            var values = rows[i];
            if (documents[i].TimeToLive is { } expiry)
            {
                values[ExpiresAtParameter] = now + (long)expiry.TotalMilliseconds;
            }

            for (var p = 0; p < values.Length; p++)
            {
                insert.Parameters[p].Value = values[p];
            }

            var created = await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
            insertedLookupKey |= created && values[LookupParameter] is string;
            if (!created)
            {
                for (var p = 0; p < values.Length; p++)
                {
                    update.Parameters[p].Value = values[p];
                }

                await update.ExecuteNonQueryAsync(cancellationToken);
            }

            results[i] = WriteResult.Success((string)values[EtagParameter], created);
        }

        if (insertedLookupKey)
        {
            await ReleaseLookupKeysTakenByInsertsAsync(connection, transaction, container, firstNewSeq, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return results;
    }

    public async Task<WriteResult> PatchAsync(DocumentContainer container, string partitionKey, string id, IReadOnlyList<PatchOperation> operations, string? ifMatch, CancellationToken cancellationToken)
    {
        JsonPatchApplier.Validate(operations);
        await using var session = await BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (session.Connection, session.Transaction);
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
        await using var session = await BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (session.Connection, session.Transaction);
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
        var ranged = range.From is not null || range.To is not null;
        command.CommandText = "SELECT pk, id, rk, data, etag, ttl_s FROM documents WHERE container = $c AND pk = $pk AND (expires_at IS NULL OR expires_at > $now)"
            + (range.From is null ? string.Empty : " AND rk >= $from")
            + (range.To is null ? string.Empty : " AND rk < $to")

            // The term the range index is partial on, verbatim, so that the planner knows the index applies.
            + (ranged && container != DocumentContainer.Calls ? $" AND {NotCalls}" : string.Empty);
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
        await using var session = await BeginWriteAsync(cancellationToken);
        await using var command = session.Connection.CreateCommand();
        command.Transaction = session.Transaction;
        command.CommandText = $"DELETE FROM documents WHERE expires_at IS NOT NULL AND {ExpiryDay} <= $day AND expires_at <= $now";
        var now = NowMs();
        command.Parameters.AddWithValue("$now", now);
        command.Parameters.AddWithValue("$day", now / MillisecondsPerDay);
        var purged = await command.ExecuteNonQueryAsync(cancellationToken);
        await session.Transaction.CommitAsync(cancellationToken);
        return purged;
    }

    /// <summary>Stops the background checkpoints and closes the write connection (read connections are pooled by Microsoft.Data.Sqlite).</summary>
    public async ValueTask DisposeAsync()
    {
        await _writeTurn.WaitAsync();
        try
        {
            await _checkpointer.DisposeAsync();
            if (_writeConnection is not null)
            {
                await _writeConnection.DisposeAsync();
                _writeConnection = null;
            }
        }
        finally
        {
            _writeTurn.Release();
        }
    }

    /// <summary>Closes the write connection, for containers and callers that dispose synchronously.</summary>
    public void Dispose()
    {
        _writeTurn.Wait();
        try
        {
            _checkpointer.DisposeAsync().AsTask().Wait();
            _writeConnection?.Dispose();
            _writeConnection = null;
        }
        finally
        {
            _writeTurn.Release();
        }
    }

    /// <summary>
    /// Waits for this store's turn to write and begins a transaction on its one write connection; disposing the result
    /// ends the transaction (rolled back unless committed) and the turn.
    /// </summary>
    private async Task<WriteSession> BeginWriteAsync(CancellationToken cancellationToken)
    {
        await _writeTurn.WaitAsync(cancellationToken);
        try
        {
            _writeConnection ??= await OpenWriteConnectionAsync(cancellationToken);
            var transaction = (SqliteTransaction)await _writeConnection.BeginTransactionAsync(cancellationToken);
            return new WriteSession(_writeConnection, transaction, _writeTurn, _checkpointer);
        }
        catch
        {
            // A connection that could not begin a transaction is not trusted again.
            if (_writeConnection is not null)
            {
                await _writeConnection.DisposeAsync();
                _writeConnection = null;
            }

            _writeTurn.Release();
            throw;
        }
    }

    private async Task<SqliteConnection> OpenWriteConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken);

        // The writer checkpoints the WAL into the database after a commit that leaves it above this many pages
        // (SQLite's default is 1,000), and the next write starts the WAL over. WalCheckpointer has copied most of those
        // pages by then; this one copies the rest, and is the only one should that fall behind or fail.
        await ExecuteAsync(connection, null, "PRAGMA wal_autocheckpoint = 4000;", cancellationToken);
        return connection;
    }

    private async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        await _schema.Value.WaitAsync(cancellationToken);
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, "PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL;", cancellationToken);
        return connection;
    }

    /// <summary>The seq the next inserted row gets: rowids count up from the largest in the table.</summary>
    private static async Task<long> NextSeqAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT coalesce(max(seq), 0) + 1 FROM documents";
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Takes the lookup keys of the rows inserted since <paramref name="firstNewSeq"/> from the older documents that held them.
    /// NOT INDEXED keeps the new rows' scan on the rowid range; the lookup index would have it read every key of the container.
    /// </summary>
    private static async Task ReleaseLookupKeysTakenByInsertsAsync(SqliteConnection connection, SqliteTransaction transaction, DocumentContainer container, long firstNewSeq, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            UPDATE documents SET lookup = NULL
            WHERE container = $c AND seq < $first
              AND lookup IN (SELECT lookup FROM documents NOT INDEXED WHERE seq >= $first AND container = $c AND lookup IS NOT NULL)
            """;
        command.Parameters.AddWithValue("$c", DocumentContainerNames.Of(container));
        command.Parameters.AddWithValue("$first", firstNewSeq);
        await command.ExecuteNonQueryAsync(cancellationToken);
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

    private static StoredDocument ReadDocument(SqliteDataReader reader) => StoredDocument.FromJson(
        partitionKey: reader.GetString(0),
        id: reader.GetString(1),
        rangeKey: reader.IsDBNull(2) ? null : reader.GetString(2),
        json: reader.GetString(3),
        etag: reader.GetString(4),
        timeToLive: reader.IsDBNull(5) ? null : TimeSpan.FromSeconds(reader.GetInt64(5)));

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static string NewETag() => Guid.NewGuid().ToString("N");

    private const long MillisecondsPerDay = 86_400_000;

    private sealed class WriteSession(SqliteConnection connection, SqliteTransaction transaction, SemaphoreSlim turn, WalCheckpointer checkpointer) : IAsyncDisposable
    {
        public SqliteConnection Connection => connection;

        public SqliteTransaction Transaction => transaction;

        public async ValueTask DisposeAsync()
        {
            try
            {
                await transaction.DisposeAsync();
            }
            finally
            {
                // Before the turn is given back, so that a store being disposed has not stopped the checkpointer yet.
                checkpointer.WriteEnded();
                turn.Release();
            }
        }
    }

    /// <summary>The expiry index's key: the day a document expires. Documents written together expire on one or two days, so their
    /// index entries land together (by container, partition and id) instead of one page each at a random place.</summary>
    private const string ExpiryDay = "expires_at / 86400000";

    /// <summary>Call records are only ever read a whole partition (one tenant's hour) at a time, and their range key (the call's
    /// timestamp) falls anywhere in it, so indexing it cost a random index page per record and most of the write time.</summary>
    private const string NotCalls = "container <> 'calls'";

    private static readonly string[] RowParameters = ["$c", "$pk", "$id", "$rk", "$data", "$etag", "$ttl", "$exp", "$lookup"];
    private const int EtagParameter = 5;
    private const int ExpiresAtParameter = 7;
    private const int LookupParameter = 8;
}
