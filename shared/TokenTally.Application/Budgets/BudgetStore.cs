using System.Security.Cryptography;
using System.Text.Json;
using TokenTally.Application.Json;
using TokenTally.Storage.Documents;

namespace TokenTally.Application.Budgets;

/// <summary>A budget as stored and shown: the definition in the API's own terms (names, zone ids, dates as text).</summary>
public sealed record BudgetDocument(
    string Id,
    string Tenant,
    string Name,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Scope,
    BudgetPeriodDocument Period,
    decimal AmountUsd,
    IReadOnlyList<decimal> Thresholds,
    bool AlertOnForecast,
    IReadOnlyList<string> Channels,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record BudgetPeriodDocument(string Kind, string TimeZone, string? From, string? To);

/// <summary>A stored budget with the etag of its document.</summary>
public sealed record StoredBudget(BudgetDocument Budget, string ETag);

/// <summary>
/// Budgets in the config container: partition = the tenant, id and range key = <c>budget:&lt;id&gt;</c>, so one partition
/// read by range lists a tenant's budgets and nothing else of its partition (its <c>project:…</c> documents have no range key).
/// Writes are conditional on the document's etag.
/// </summary>
public sealed class BudgetStore(IDocumentStore store)
{
    private const string IdPrefix = "budget:";

    /// <summary>The range of the range keys of a tenant's budgets: every key starting with <c>budget:</c>.</summary>
    private static readonly RangeKeyFilter AllBudgets = new(IdPrefix, "budget;");

    /// <summary>A new budget id: 16 lower-case hex digits.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public async Task<StoredBudget?> GetAsync(string tenant, string id, CancellationToken cancellationToken) =>
        await store.GetAsync(DocumentContainer.Config, tenant, DocumentId(id), cancellationToken) is { } document ? Read(document) : null;

    /// <summary>Every budget of <paramref name="tenant"/>, by name then id.</summary>
    public async Task<IReadOnlyList<StoredBudget>> ListAsync(string tenant, CancellationToken cancellationToken)
    {
        var budgets = new List<StoredBudget>();
        await foreach (var document in store.QueryPartitionAsync(DocumentContainer.Config, tenant, AllBudgets, cancellationToken))
        {
            budgets.Add(Read(document));
        }

        return budgets.OrderBy(b => b.Budget.Name, StringComparer.Ordinal).ThenBy(b => b.Budget.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>Writes a new budget; its id must be new (<see cref="WriteStatus.Conflict"/> otherwise).</summary>
    public Task<WriteResult> CreateAsync(BudgetDocument budget, CancellationToken cancellationToken) =>
        store.UpsertAsync(DocumentContainer.Config, Write(budget), WriteCondition.IfNotExists, cancellationToken);

    /// <summary>Replaces a budget whose document still has <paramref name="etag"/>; <see cref="WriteStatus.PreconditionFailed"/> when it changed meanwhile.</summary>
    public Task<WriteResult> ReplaceAsync(BudgetDocument budget, string etag, CancellationToken cancellationToken) =>
        store.UpsertAsync(DocumentContainer.Config, Write(budget), WriteCondition.IfMatch(etag), cancellationToken);

    /// <summary>Deletes a budget, if its document still has <paramref name="etag"/> when one is given.</summary>
    public Task<WriteResult> DeleteAsync(string tenant, string id, string? etag, CancellationToken cancellationToken) =>
        store.DeleteAsync(DocumentContainer.Config, tenant, DocumentId(id), etag, cancellationToken);

    private static string DocumentId(string id) => IdPrefix + id;

    private static DocumentWrite Write(BudgetDocument budget) =>
        new(budget.Tenant, DocumentId(budget.Id), JsonSerializer.SerializeToNode(budget, TokenTallyJson.Options)!.AsObject(), RangeKey: DocumentId(budget.Id));

    private static StoredBudget Read(StoredDocument document) =>
        new(document.As<BudgetDocument>(TokenTallyJson.Options) ?? throw new InvalidOperationException($"Budget document {document.PartitionKey}/{document.Id} is empty."), document.ETag);
}
