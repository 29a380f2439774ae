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

public sealed record WriteResult(WriteStatus Status, string? ETag, bool Created = false)
{
    /// <summary>TEMPORARY SHIM until the ledger-store branch lands.</summary>
    public bool Unchanged { get; init; }

    /// <summary>TEMPORARY SHIM until the ledger-store branch lands.</summary>
    public string? MovedFrom { get; init; }

    public bool Succeeded => Status == WriteStatus.Succeeded;

    public static WriteResult Success(string etag, bool created = false) => new(WriteStatus.Succeeded, etag, created);

    public static WriteResult Failed(WriteStatus status) => new(status, null);
}
