using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using TokenTally.Core.Pipeline;
using TokenTally.Storage.Documents;

namespace TokenTally.Functions.Pipeline;

/// <summary>A run record with the etag it was read or written with.</summary>
public sealed record StoredRun(PipelineRun Run, string ETag);

/// <summary>Keeps hourly run records in the runs container: one partition, id and range key = the hour.</summary>
public sealed class PipelineRunStore(IDocumentStore store)
{
    public const string PartitionKey = "hourly";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public async Task<StoredRun?> GetAsync(DateTimeOffset hour, CancellationToken cancellationToken)
    {
        var document = await store.GetAsync(DocumentContainer.Runs, PartitionKey, PipelineRun.IdFor(hour), cancellationToken);
        return document is null ? null : new StoredRun(FromData(document.Data), document.ETag);
    }

    /// <summary>Writes a new run; null when another instance created it first.</summary>
    public Task<StoredRun?> CreateAsync(PipelineRun run, CancellationToken cancellationToken) =>
        WriteAsync(run, WriteCondition.IfNotExists, cancellationToken);

    /// <summary>Replaces a run if nobody wrote it since <paramref name="etag"/>; null when someone did (the lease is lost).</summary>
    public Task<StoredRun?> ReplaceAsync(PipelineRun run, string etag, CancellationToken cancellationToken) =>
        WriteAsync(run, WriteCondition.IfMatch(etag), cancellationToken);

    /// <summary>Runs whose hour lies in [from, to), newest first.</summary>
    public async Task<IReadOnlyList<PipelineRun>> ListAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var runs = new List<PipelineRun>();
        await foreach (var document in store.QueryPartitionAsync(DocumentContainer.Runs, PartitionKey, new RangeKeyFilter(PipelineRun.IdFor(from), PipelineRun.IdFor(to)), cancellationToken))
        {
            runs.Add(FromData(document.Data));
        }

        return runs.OrderByDescending(r => r.Hour).ToList();
    }

    private async Task<StoredRun?> WriteAsync(PipelineRun run, WriteCondition condition, CancellationToken cancellationToken)
    {
        var data = JsonSerializer.SerializeToNode(run, Json)!.AsObject();
        var result = await store.UpsertAsync(DocumentContainer.Runs, new DocumentWrite(PartitionKey, run.Id, data, run.Id), condition, cancellationToken);
        return result.Succeeded ? new StoredRun(run, result.ETag!) : null;
    }

    private static PipelineRun FromData(JsonObject data) =>
        data.Deserialize<PipelineRun>(Json) ?? throw new InvalidDataException("A run record could not be read.");
}
