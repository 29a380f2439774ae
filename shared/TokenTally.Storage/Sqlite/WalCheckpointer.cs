using Microsoft.Data.Sqlite;

namespace TokenTally.Storage.Sqlite;

/// <summary>
/// Copies committed WAL pages into the database file on a connection of its own, soon after each write, so that the
/// writer's own checkpoint (<c>wal_autocheckpoint</c>, which also restarts the WAL) finds little left to copy and sync
/// while it holds the write turn. A passive checkpoint never waits for or blocks a writer; it copies what is committed
/// and syncs, which is mostly waiting on the disk, and the writer goes on meanwhile.
/// </summary>
internal sealed class WalCheckpointer : IAsyncDisposable
{
    private readonly Func<CancellationToken, Task<SqliteConnection>> _openConnection;
    private readonly TimeSpan _pause;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _pending;
    private int _disposed;

    /// <param name="openConnection">Opens the connection the checkpoints run on.</param>
    /// <param name="pause">The least time between two checkpoints: under steady writes, how many commits one copies.</param>
    public WalCheckpointer(Func<CancellationToken, Task<SqliteConnection>> openConnection, TimeSpan pause)
    {
        _openConnection = openConnection;
        _pause = pause;
        _loop = Task.Run(RunAsync, CancellationToken.None);
    }

    /// <summary>Says a write transaction ended; a checkpoint follows, one for however many arrive meanwhile.</summary>
    public void WriteEnded()
    {
        if (Volatile.Read(ref _disposed) == 0 && Interlocked.Exchange(ref _pending, 1) == 0)
        {
            _wake.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();

        // Its failures were already left to the writer's own checkpoint; stopping is all that is asked here.
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        _wake.Dispose();
    }

    private async Task RunAsync()
    {
        var stop = _stop.Token;
        SqliteConnection? connection = null;
        try
        {
            while (true)
            {
                await _wake.WaitAsync(stop);
                Volatile.Write(ref _pending, 0);
                try
                {
                    connection ??= await _openConnection(stop);
                    await using var command = connection.CreateCommand();
                    command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
                    await command.ExecuteNonQueryAsync(stop);
                }
                catch (SqliteException)
                {
                    // Left to the writer's own checkpoint, which bounds the WAL either way; the next write tries again.
                }

                await Task.Delay(_pause, stop);
            }
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }
}
