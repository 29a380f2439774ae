using TokenTally.Application.Projects;
using TokenTally.Core.Budgets;
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
    DateTimeOffset UpdatedAt)
{
    /// <summary>The stored definition as the domain's budget, validated again as it was when written.</summary>
    public Budget ToBudget()
    {
        var draft = new BudgetDraft(
            Name,
            Scope.ToDictionary(f => f.Key, f => (IReadOnlyList<string>?)f.Value),
            new PeriodDraft(Period.Kind, Period.TimeZone, Period.From, Period.To),
            AmountUsd,
            Thresholds,
            AlertOnForecast,
            Channels);
        var validation = BudgetValidator.Validate(draft);
        return validation.Budget ?? throw new InvalidOperationException(
            $"Stored budget {Tenant}/{Id} is no longer valid: {string.Join("; ", validation.Errors.Select(e => $"{e.Field}: {e.Message}"))}");
    }
}

public sealed record BudgetPeriodDocument(string Kind, string TimeZone, string? From, string? To);

/// <summary>A stored budget with the etag of its document.</summary>
public sealed record StoredBudget(BudgetDocument Budget, string ETag);

/// <summary>Budgets in the config container: partition = the tenant, id and range key = <c>budget:&lt;id&gt;</c>; writes are conditional on the etag.</summary>
public sealed class BudgetStore(IDocumentStore store)
{
    private readonly TenantDocumentSet<BudgetDocument> _budgets = new(store, "budget:");

    /// <summary>A new budget id: 16 lower-case hex digits.</summary>
    public static string NewId() => TenantDocumentSet<BudgetDocument>.NewId();

    public async Task<StoredBudget?> GetAsync(string tenant, string id, CancellationToken cancellationToken) =>
        await _budgets.GetAsync(tenant, id, cancellationToken) is { } stored ? new StoredBudget(stored.Value, stored.ETag) : null;

    /// <summary>Every budget of <paramref name="tenant"/>, by name then id.</summary>
    public async Task<IReadOnlyList<StoredBudget>> ListAsync(string tenant, CancellationToken cancellationToken) =>
        (await _budgets.ListAsync(tenant, cancellationToken)).Select(b => new StoredBudget(b.Value, b.ETag))
            .OrderBy(b => b.Budget.Name, StringComparer.Ordinal).ThenBy(b => b.Budget.Id, StringComparer.Ordinal).ToList();

    /// <summary>Writes a new budget; its id must be new (<see cref="WriteStatus.Conflict"/> otherwise).</summary>
    public Task<WriteResult> CreateAsync(BudgetDocument budget, CancellationToken cancellationToken) =>
        _budgets.CreateAsync(budget.Tenant, budget.Id, budget, cancellationToken);

    /// <summary>Replaces a budget whose document still has <paramref name="etag"/>; <see cref="WriteStatus.PreconditionFailed"/> when it changed meanwhile.</summary>
    public Task<WriteResult> ReplaceAsync(BudgetDocument budget, string etag, CancellationToken cancellationToken) =>
        _budgets.ReplaceAsync(budget.Tenant, budget.Id, budget, etag, cancellationToken);

    /// <summary>Deletes a budget, if its document still has <paramref name="etag"/> when one is given.</summary>
    public Task<WriteResult> DeleteAsync(string tenant, string id, string? etag, CancellationToken cancellationToken) =>
        _budgets.DeleteAsync(tenant, id, etag, cancellationToken);
}
