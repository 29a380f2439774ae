using System.Globalization;
using System.Text.Json.Nodes;
using TokenTally.Storage.Documents;

namespace TokenTally.Application.Pricing;

public sealed record UnpricedSummary(string Day, long Calls, IReadOnlyDictionary<string, long> Models);

/// <summary>
/// Counts newly stored calls that could not be priced, per tenant and day (by model) and across all
/// tenants (for /api/health). Only first deliveries count, so a redelivered batch counts once.
/// </summary>
public sealed class UnpricedCounter(IDocumentStore store)
{
    public const string SystemPartition = "_system";

    public async Task AddAsync(string tenant, DateTimeOffset now, IEnumerable<string> models, CancellationToken cancellationToken)
    {
        var perModel = models.GroupBy(m => m).ToDictionary(g => g.Key, g => (long)g.Count());
        var day = Day(now);
        await IncrementAsync(SystemPartition, "unpriced-" + day, new Dictionary<string, long>(), perModel.Values.Sum(), cancellationToken);
        await IncrementAsync(tenant, "unpriced-" + day, perModel, perModel.Values.Sum(), cancellationToken);
    }

    public async Task<UnpricedSummary> GetAsync(string partition, DateTimeOffset day, CancellationToken cancellationToken)
    {
        var document = await store.GetAsync(DocumentContainer.Config, partition, "unpriced-" + Day(day), cancellationToken);
        var models = document?.Data["models"] as JsonObject ?? [];
        return new UnpricedSummary(Day(day), (long?)document?.Data["calls"] ?? 0, models.ToDictionary(m => m.Key, m => (long)m.Value!));
    }

    private async Task IncrementAsync(string partition, string id, IReadOnlyDictionary<string, long> perModel, long calls, CancellationToken cancellationToken)
    {
        await store.UpsertAsync(DocumentContainer.Config, new DocumentWrite(partition, id, new JsonObject { ["calls"] = 0, ["models"] = new JsonObject() }), WriteCondition.IfNotExists, cancellationToken);
        var operations = new List<PatchOperation> { PatchOperation.Increment("/calls", calls) };
        operations.AddRange(perModel.GroupBy(m => CounterKey(m.Key)).Select(g => PatchOperation.Increment("/models/" + g.Key, g.Sum(m => m.Value))));

        // Cosmos DB takes at most ten operations per patch.
        foreach (var chunk in operations.Chunk(PatchOperation.MaxOperationsPerPatch))
        {
            await store.PatchAsync(DocumentContainer.Config, partition, id, chunk, null, cancellationToken);
        }
    }

    /// <summary>Model names become property names: anything but letters, digits and <c>._:-</c> becomes '_' (JSON pointers and Cosmos paths stay simple).</summary>
    private static string CounterKey(string model)
    {
        var key = new string(model.Take(100).Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-' ? c : '_').ToArray());
        return key.Length == 0 ? "_" : key;
    }

    private static string Day(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
