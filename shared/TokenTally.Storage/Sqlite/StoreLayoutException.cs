namespace TokenTally.Storage.Sqlite;

/// <summary>The database on disk has a table layout this build does not read.</summary>
public sealed class StoreLayoutException(string message) : Exception(message);
