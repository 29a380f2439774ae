using Microsoft.Data.Sqlite;
using TokenTally.Storage.Sqlite;

namespace TokenTally.Application.Tests.Hosts;

/// <summary>A SQLite document store in a folder of its own, for tests of a feature's store code without a host.</summary>
public sealed class TemporarySqliteStore : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tokentally-store-" + Guid.NewGuid().ToString("N"));

    public TemporarySqliteStore(TimeProvider? time = null) => Store = new SqliteDocumentStore(Path.Combine(_directory, "tokentally.db"), time ?? TimeProvider.System);

    public SqliteDocumentStore Store { get; }

    public void Dispose()
    {
        Store.Dispose();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
