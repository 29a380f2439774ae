namespace TokenTally.Storage.Documents;

/// <summary>The precondition of a write.</summary>
public abstract record WriteCondition
{
    private WriteCondition()
    {
    }

    /// <summary>Write whatever is there.</summary>
    public static WriteCondition None { get; } = new Unconditional();

    /// <summary>Write only if no document has this key (a create).</summary>
    public static WriteCondition IfNotExists { get; } = new Absent();

    /// <summary>Write only if the stored document still has this etag.</summary>
    public static WriteCondition IfMatch(string etag) => new Matching(etag);

    public sealed record Unconditional : WriteCondition;

    public sealed record Absent : WriteCondition;

    public sealed record Matching(string ETag) : WriteCondition;
}

public enum WriteStatus
{
    /// <summary>The write happened; <see cref="WriteResult.ETag"/> is the new etag.</summary>
    Succeeded,

    /// <summary>An etag condition did not hold: someone else wrote first.</summary>
    PreconditionFailed,

    /// <summary>A create found a document already there.</summary>
    Conflict,

    /// <summary>The document to replace, patch or delete does not exist.</summary>
    NotFound,
}

/// <summary>What a write did.</summary>
/// <param name="Status">Whether it happened, or why not.</param>
/// <param name="ETag">The document's etag after the write (the existing one when <paramref name="Unchanged"/>); null when it failed.</param>
/// <param name="Created">
/// True when neither the document at the write's partition key and id nor any holder of its lookup key existed before:
/// the write brought the document into being.
/// </param>
/// <param name="MovedFrom">
/// The partition key of the document that held the write's lookup key before and was deleted by this write; null when
/// nothing was deleted.
/// </param>
/// <param name="Unchanged">
/// True when the stored document already had the write's <see cref="DocumentWrite.ContentHash"/>, so the store left it as it
/// was: its data, etag and expiry (but for a write that also took the lookup key from another document in a store without
/// transactions across partitions, which gives the document a new etag: see <c>PointWrites</c>).
/// </param>
public sealed record WriteResult(WriteStatus Status, string? ETag, bool Created = false, string? MovedFrom = null, bool Unchanged = false)
{
    public bool Succeeded => Status == WriteStatus.Succeeded;

    public static WriteResult Success(string etag, bool created = false, string? movedFrom = null, bool unchanged = false) =>
        new(WriteStatus.Succeeded, etag, created, movedFrom, unchanged);

    public static WriteResult Failed(WriteStatus status) => new(status, null);
}
