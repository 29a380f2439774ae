namespace TokenTally.Storage.Documents;

/// <summary>A store that hides expired documents but does not delete them by itself (SQLite); Cosmos DB's TTL needs no such call.</summary>
public interface IExpiringDocumentStore
{
    /// <summary>Deletes every expired document; returns how many.</summary>
    Task<int> PurgeExpiredAsync(CancellationToken cancellationToken);
}
