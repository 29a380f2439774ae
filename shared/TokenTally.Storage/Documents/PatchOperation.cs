using System.Text.Json.Nodes;

namespace TokenTally.Storage.Documents;

/// <summary>
/// One partial-update operation on a document's data. Paths are JSON pointers into
/// <see cref="StoredDocument.Data"/> (<c>/status</c>, <c>/steps/0/attempts</c>).
/// </summary>
public abstract record PatchOperation(string Path)
{
    /// <summary>Cosmos DB accepts at most this many operations in one patch.</summary>
    public const int MaxOperationsPerPatch = 10;

    public static PatchOperation Set(string path, JsonNode? value) => new SetOperation(path, value);

    public static PatchOperation Increment(string path, long by) => new IncrementOperation(path, by);

    public static PatchOperation Remove(string path) => new RemoveOperation(path);

    public sealed record SetOperation(string Path, JsonNode? Value) : PatchOperation(Path);

    public sealed record IncrementOperation(string Path, long By) : PatchOperation(Path);

    public sealed record RemoveOperation(string Path) : PatchOperation(Path);
}
