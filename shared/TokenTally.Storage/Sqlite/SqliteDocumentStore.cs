using System.Runtime.CompilerServices;
using System.Text.Json;
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
public sealed class SqliteDocumentStore : IDocumentStore, IExpiringDocumentStore, IAsyncDisposable, IDisposable
{
    private readonly string _connectionString;
    private readonly TimeProvider _time;

    /// <summary>The table layout this build writes, kept in the database's user_version.</summary>
    public const int Layout = 1;

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

        // Checkpoints run beside the writer, shortly after writes, so that the writer itself rarely has to copy the WAL back.
        _checkpointer = new WalCheckpointer(OpenConnectionAsync, TimeSpan.FromMilliseconds(25));
    }

    private async Task CreateSchemaAsync(string databasePath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(databasePath))!);
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync();
        await RefuseOtherLayoutAsync(connection, databasePath);
        await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL;", CancellationToken.None);

        // A lookup key names one document (UpsertManyAsync deletes the one that held it before), which the unique index guards.
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
                lookup     TEXT NULL,
                hash       TEXT NULL
            );
            CREATE UNIQUE INDEX IF NOT EXISTS documents_key ON documents (container, pk, id);
            CREATE INDEX IF NOT EXISTS documents_range_except_calls ON documents (container, pk, rk) WHERE {NotCalls};
            CREATE INDEX IF NOT EXISTS documents_expiry_day ON documents ({ExpiryDay}) WHERE expires_at IS NOT NULL;
            CREATE UNIQUE INDEX IF NOT EXISTS documents_lookup ON documents (container, lookup) WHERE lookup IS NOT NULL;
            """, CancellationToken.None);
        await ExecuteAsync(connection, null, $"PRAGMA user_version = {Layout};", CancellationToken.None);
    }

    /// <summary>Creates the database and its schema now rather than at the first read or write; throws <see cref="StoreLayoutException"/> for a database of another layout.</summary>
    public Task EnsureCreatedAsync(CancellationToken cancellationToken) => _schema.Value.WaitAsync(cancellationToken);

    /// <summary>A database written by a build with another table layout is refused, not read wrongly or written half.</summary>
    private static async Task RefuseOtherLayoutAsync(SqliteConnection connection, string databasePath)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'documents'), (SELECT user_version FROM pragma_user_version)";
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var (hasDocuments, layout) = (reader.GetInt64(0) > 0, reader.GetInt64(1));
        if (hasDocuments && layout != Layout)
        {
            throw new StoreLayoutException(
                $"{Path.GetFullPath(databasePath)} was written by an earlier build of TokenTally (table layout {layout}; this build reads layout {Layout}). " +
                "Move its folder away, or point TokenTally:Local:DataPath at another one, to start afresh.");
        }
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
        ArgumentNullException.ThrowIfNull(condition);
        DocumentWrite.RefuseLookupKeyUnder(condition, document);
        if (condition is WriteCondition.Unconditional)
        {
            return (await UpsertManyAsync(container, [document], cancellationToken))[0];
        }

        var data = document.DataJson;
        await using var session = await BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (session.Connection, session.Transaction);
        await DeleteIfExpiredAsync(connection, transaction, container, document.PartitionKey, document.Id, cancellationToken);
        var current = await ReadVersionAsync(connection, transaction, container, document.PartitionKey, document.Id, cancellationToken);
        var refusal = condition switch
        {
            WriteCondition.Absent when current is not null => WriteStatus.Conflict,
            WriteCondition.Matching when current is null => WriteStatus.NotFound,
            WriteCondition.Matching m when m.ETag != current?.ETag => WriteStatus.PreconditionFailed,
            _ => (WriteStatus?)null,
        };
        if (refusal is { } status)
        {
            return WriteResult.Failed(status);
        }

        if (current is { } stored && document.ContentHash is { } hash && stored.Hash == hash)
        {
            return WriteResult.Success(stored.ETag, unchanged: true);
        }

        var etag = NewETag();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO documents (container, pk, id, rk, data, etag, ttl_s, expires_at, hash)
            VALUES ($c, $pk, $id, $rk, $data, $etag, $ttl, $exp, $hash)
            ON CONFLICT (container, pk, id) DO UPDATE SET rk = $rk, data = $data, etag = $etag, ttl_s = $ttl, expires_at = $exp, hash = $hash
            """;
        AddKey(command, container, document.PartitionKey, document.Id);
        command.Parameters.AddWithValue("$rk", (object?)document.RangeKey ?? DBNull.Value);
        command.Parameters.AddWithValue("$data", data);
        command.Parameters.AddWithValue("$etag", etag);
        command.Parameters.AddWithValue("$hash", (object?)document.ContentHash ?? DBNull.Value);
        AddExpiry(command, document.TimeToLive);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return WriteResult.Success(etag, created: current is null);
    }

    /// <summary>
    /// Writes the batch in one transaction, in order. A write with a lookup key deletes the row that held the key before (when it
    /// is another row); a write whose content hash equals its row's leaves the row as it is.
    /// </summary>
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
                (object?)document.LookupKey ?? DBNull.Value, (object?)document.ContentHash ?? DBNull.Value,
            ];
        }

        await using var session = await BeginWriteAsync(cancellationToken);
        var now = NowMs();
        await using var batch = new BatchWriter(session.Connection, session.Transaction, containerName, now);

        // Most batches are new documents, whose inserts meet neither their key nor their lookup key in the unique indexes and are
        // all there is to do. From the first write that meets a stored row on (mostly a batch sent again), the rows holding the
        // remaining writes' lookup keys are read at once, and serve as long as no write changes a row another one reads (no key
        // or document twice, no document holding another write's key); otherwise each write reads the holder of its key.
        Dictionary<string, StoredRow>? holders = null;
        var holdersStayValid = false;
        for (var i = 0; i < documents.Count; i++)
        {
            var values = rows[i];
            if (documents[i].TimeToLive is { } expiry)
            {
                values[ExpiresAtParameter] = now + (long)expiry.TotalMilliseconds;
            }

            if (holders is null)
            {
                if (await batch.InsertAsync(values, movedFrom: null, cancellationToken) is { } inserted)
                {
                    results[i] = inserted;
                    continue;
                }

                var remaining = documents.Skip(i).ToList();
                holders = await batch.ReadHoldersAsync(JsonSerializer.Serialize(remaining.Select(d => d.LookupKey).OfType<string>()), cancellationToken);
                holdersStayValid = HoldersStayValid(remaining, holders);
            }

            StoredRow? holder = documents[i].LookupKey is not { } key ? null
                : holdersStayValid ? (holders.TryGetValue(key, out var held) ? held : null)
                : await batch.ReadHolderAsync(key, cancellationToken);
            results[i] = await batch.WriteAsync(documents[i], values, holder, cancellationToken);
        }

        await session.Transaction.CommitAsync(cancellationToken);
        return results;
    }

    private static bool HoldersStayValid(IReadOnlyList<DocumentWrite> documents, Dictionary<string, StoredRow> holders)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var targets = new Dictionary<(string, string), string?>(documents.Count);
        foreach (var document in documents)
        {
            if ((document.LookupKey is { } key && !keys.Add(key)) || !targets.TryAdd((document.PartitionKey, document.Id), document.LookupKey))
            {
                return false;
            }
        }

        foreach (var (key, holder) in holders)
        {
            if (targets.TryGetValue((holder.PartitionKey, holder.Id), out var writtenWith) && writtenWith != key)
            {
                return false;
            }
        }

        return true;
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
        // The content hash described the data before the patch.
        write.CommandText = "UPDATE documents SET data = $data, etag = $etag, expires_at = $exp, hash = NULL WHERE container = $c AND pk = $pk AND id = $id";
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

    private async Task DeleteIfExpiredAsync(SqliteConnection connection, SqliteTransaction transaction, DocumentContainer container, string partitionKey, string id, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM documents WHERE container = $c AND pk = $pk AND id = $id AND expires_at IS NOT NULL AND expires_at <= $now";
        AddKey(command, container, partitionKey, id);
        command.Parameters.AddWithValue("$now", NowMs());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<(string ETag, string? Hash)?> ReadVersionAsync(SqliteConnection connection, SqliteTransaction transaction, DocumentContainer container, string partitionKey, string id, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT etag, hash FROM documents WHERE container = $c AND pk = $pk AND id = $id";
        AddKey(command, container, partitionKey, id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), await reader.IsDBNullAsync(1, cancellationToken) ? null : reader.GetString(1)) : null;
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

    private static readonly string[] RowParameters = ["$c", "$pk", "$id", "$rk", "$data", "$etag", "$ttl", "$exp", "$lookup", "$hash"];
    private const int RangeKeyParameter = 3;
    private const int EtagParameter = 5;
    private const int ExpiresAtParameter = 7;
    private const int LookupParameter = 8;

    /// <summary>A stored row as a write sees it. Expired rows count as absent.</summary>
    private readonly record struct StoredRow(long Seq, string PartitionKey, string Id, string ETag, string? Hash, string? LookupKey, bool Expired);

    /// <summary>The statements of one write transaction, each prepared once for however many documents it writes.</summary>
    private sealed class BatchWriter(SqliteConnection connection, SqliteTransaction transaction, string container, long now) : IAsyncDisposable
    {
        private const string RowColumns = "seq, pk, id, etag, hash, lookup, expires_at";

        private SqliteCommand? _insert;
        private SqliteCommand? _readTarget;
        private SqliteCommand? _readHolder;
        private SqliteCommand? _replace;
        private SqliteCommand? _takeKey;
        private SqliteCommand? _move;
        private SqliteCommand? _delete;

        /// <summary>The rows that hold any of the keys (a JSON array), by key, through the lookup index.</summary>
        public async Task<Dictionary<string, StoredRow>> ReadHoldersAsync(string keysJson, CancellationToken cancellationToken)
        {
            await using var command = Command($"SELECT {RowColumns} FROM documents WHERE container = $c AND lookup IN (SELECT value FROM json_each($keys))", "$c", "$keys");
            command.Parameters[0].Value = container;
            command.Parameters[1].Value = keysJson;
            var holders = new Dictionary<string, StoredRow>(StringComparer.Ordinal);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var row = ReadRow(reader);
                holders[row.LookupKey!] = row;
            }

            return holders;
        }

        public async ValueTask<StoredRow?> ReadHolderAsync(string lookupKey, CancellationToken cancellationToken)
        {
            _readHolder ??= Command($"SELECT {RowColumns} FROM documents WHERE container = $c AND lookup = $lookup", "$c", "$lookup");
            _readHolder.Parameters[0].Value = container;
            _readHolder.Parameters[1].Value = lookupKey;
            return await ReadOneAsync(_readHolder, cancellationToken);
        }

        /// <summary>Writes one document of the batch; <paramref name="holder"/> is the row holding its lookup key, if any.</summary>
        public async ValueTask<WriteResult> WriteAsync(DocumentWrite document, object[] values, StoredRow? holder, CancellationToken cancellationToken)
        {
            if (document.LookupKey is null)
            {
                return await ReadTargetAsync(document, cancellationToken) is { } target
                    ? await WriteOverAsync(target, document, values, movedFrom: null, cancellationToken)
                    : await InsertAsync(values, movedFrom: null, cancellationToken) ?? throw new InvalidOperationException("The insert of a document read as absent in this transaction conflicted.");
            }

            if (holder is { } same && same.PartitionKey == document.PartitionKey && same.Id == document.Id)
            {
                return await WriteOverAsync(same, document, values, movedFrom: null, cancellationToken);
            }

            string? movedFrom = null;
            if (holder is { } other)
            {
                movedFrom = other.Expired ? null : other.PartitionKey;

                // The holder's row becomes the document (one update in place instead of a delete and an insert), unless a
                // document is stored at the write's key already: then the holder goes and that one is written over.
                if (_move is null)
                {
                    _move = Command(
                        "UPDATE documents SET pk = $pk, id = $id, rk = $rk, data = $data, etag = $etag, ttl_s = $ttl, expires_at = $exp, hash = $hash " +
                        "WHERE seq = $seq AND NOT EXISTS (SELECT 1 FROM documents WHERE container = $c AND pk = $pk AND id = $id)",
                        [.. RowParameters, "$seq"]);
                    await _move.PrepareAsync(cancellationToken);
                }

                for (var p = 0; p < values.Length; p++)
                {
                    _move.Parameters[p].Value = values[p];
                }

                _move.Parameters[^1].Value = other.Seq;
                if (await _move.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    return WriteResult.Success((string)values[EtagParameter], created: movedFrom is null, movedFrom);
                }

                _delete ??= Command("DELETE FROM documents WHERE seq = $seq", "$seq");
                _delete.Parameters[0].Value = other.Seq;
                await _delete.ExecuteNonQueryAsync(cancellationToken);
            }

            // Most documents with a lookup key are new; one that exists without the key is replaced instead.
            return await InsertAsync(values, movedFrom, cancellationToken)
                ?? await WriteOverAsync((await ReadTargetAsync(document, cancellationToken))!.Value, document, values, movedFrom, cancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var command in new[] { _insert, _readTarget, _readHolder, _replace, _takeKey, _move, _delete })
            {
                if (command is not null)
                {
                    await command.DisposeAsync();
                }
            }
        }

        /// <summary>Inserts the row unless a row has its (container, pk, id) or its lookup key; null when one does.</summary>
        public async ValueTask<WriteResult?> InsertAsync(object[] values, string? movedFrom, CancellationToken cancellationToken)
        {
            if (_insert is null)
            {
                _insert = Command("""
                    INSERT INTO documents (container, pk, id, rk, data, etag, ttl_s, expires_at, lookup, hash) VALUES ($c, $pk, $id, $rk, $data, $etag, $ttl, $exp, $lookup, $hash)
                    ON CONFLICT DO NOTHING
                    """, RowParameters);
                await _insert.PrepareAsync(cancellationToken);
            }

            for (var p = 0; p < values.Length; p++)
            {
                _insert.Parameters[p].Value = values[p];
            }

            return await _insert.ExecuteNonQueryAsync(cancellationToken) == 1
                ? WriteResult.Success((string)values[EtagParameter], created: movedFrom is null, movedFrom)
                : null;
        }

        /// <summary>Writes over an existing row: nothing when its hash is the write's (but for taking the key), else every column.</summary>
        private async ValueTask<WriteResult> WriteOverAsync(StoredRow row, DocumentWrite document, object[] values, string? movedFrom, CancellationToken cancellationToken)
        {
            if (!row.Expired && document.ContentHash is { } hash && row.Hash == hash)
            {
                if (document.LookupKey is { } key && row.LookupKey != key)
                {
                    _takeKey ??= Command("UPDATE documents SET lookup = $lookup WHERE seq = $seq", "$lookup", "$seq");
                    (_takeKey.Parameters[0].Value, _takeKey.Parameters[1].Value) = (key, row.Seq);
                    await _takeKey.ExecuteNonQueryAsync(cancellationToken);
                }

                return WriteResult.Success(row.ETag, movedFrom: movedFrom, unchanged: true);
            }

            // A write without a lookup key keeps the one its document has, unless that document had expired.
            if (document.LookupKey is null)
            {
                values[LookupParameter] = row.Expired ? DBNull.Value : (object?)row.LookupKey ?? DBNull.Value;
            }

            _replace ??= Command(
                "UPDATE documents SET rk = $rk, data = $data, etag = $etag, ttl_s = $ttl, expires_at = $exp, lookup = $lookup, hash = $hash WHERE seq = $seq",
                [.. RowParameters[RangeKeyParameter..], "$seq"]);
            for (var p = RangeKeyParameter; p < values.Length; p++)
            {
                _replace.Parameters[p - RangeKeyParameter].Value = values[p];
            }

            _replace.Parameters[^1].Value = row.Seq;
            await _replace.ExecuteNonQueryAsync(cancellationToken);
            return WriteResult.Success((string)values[EtagParameter], created: row.Expired && movedFrom is null, movedFrom);
        }

        private async ValueTask<StoredRow?> ReadTargetAsync(DocumentWrite document, CancellationToken cancellationToken)
        {
            _readTarget ??= Command($"SELECT {RowColumns} FROM documents WHERE container = $c AND pk = $pk AND id = $id", "$c", "$pk", "$id");
            (_readTarget.Parameters[0].Value, _readTarget.Parameters[1].Value, _readTarget.Parameters[2].Value) = (container, document.PartitionKey, document.Id);
            return await ReadOneAsync(_readTarget, cancellationToken);
        }

        private async ValueTask<StoredRow?> ReadOneAsync(SqliteCommand command, CancellationToken cancellationToken)
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? ReadRow(reader) : null;
        }

        private StoredRow ReadRow(SqliteDataReader reader) => new(
            Seq: reader.GetInt64(0),
            PartitionKey: reader.GetString(1),
            Id: reader.GetString(2),
            ETag: reader.GetString(3),
            Hash: reader.IsDBNull(4) ? null : reader.GetString(4),
            LookupKey: reader.IsDBNull(5) ? null : reader.GetString(5),
            Expired: !reader.IsDBNull(6) && reader.GetInt64(6) <= now);

        private SqliteCommand Command(string sql, params string[] parameters)
        {
            var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            foreach (var name in parameters)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            return command;
        }
    }
}
