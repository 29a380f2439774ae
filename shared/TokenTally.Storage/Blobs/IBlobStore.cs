namespace TokenTally.Storage.Blobs;

/// <summary>The blob containers TokenTally writes.</summary>
public enum BlobContainer
{
    /// <summary>Cold archive: NDJSON.gz per tenant and hour.</summary>
    Archive,

    /// <summary>Records that could not be accepted or stored, with the reason and the original bytes.</summary>
    DeadLetters,
}

public static class BlobContainerNames
{
    public static string Of(BlobContainer container) => container switch
    {
        BlobContainer.Archive => "archive",
        BlobContainer.DeadLetters => "dead-letters",
        _ => throw new ArgumentOutOfRangeException(nameof(container), container, "Unknown container."),
    };
}

public sealed record BlobInfo(string Name, long Length);

/// <summary>The blob port: whole-object put, get, list by prefix and delete.</summary>
public interface IBlobStore
{
    /// <summary>Writes a blob. With <paramref name="overwrite"/> false, returns false and leaves the blob alone when one exists.</summary>
    Task<bool> PutAsync(BlobContainer container, string name, ReadOnlyMemory<byte> content, bool overwrite, CancellationToken cancellationToken);

    /// <summary>Reads a whole blob; null when it does not exist.</summary>
    Task<byte[]?> GetAsync(BlobContainer container, string name, CancellationToken cancellationToken);

    /// <summary>Lists blobs whose name starts with <paramref name="prefix"/>, ordered by name.</summary>
    IAsyncEnumerable<BlobInfo> ListAsync(BlobContainer container, string prefix, CancellationToken cancellationToken);

    /// <summary>Deletes a blob; false when there was none.</summary>
    Task<bool> DeleteAsync(BlobContainer container, string name, CancellationToken cancellationToken);
}
