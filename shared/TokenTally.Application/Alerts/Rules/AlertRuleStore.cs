using TokenTally.Application.Projects;
using TokenTally.Core.Alerts.Rules;
using TokenTally.Storage.Documents;

namespace TokenTally.Application.Alerts.Rules;

/// <summary>An alert rule as stored and shown: the definition in the API's own terms.</summary>
public sealed record AlertRuleDocument(
    string Id,
    string Tenant,
    string Name,
    string Metric,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Scope,
    int WindowHours,
    decimal Threshold,
    string Severity,
    int MinCalls,
    IReadOnlyList<string> Channels,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>The stored definition as the domain's rule, validated again as it was when written.</summary>
    public AlertRule ToRule()
    {
        var (rule, errors) = AlertRuleValidator.Validate(new AlertRuleDraft(
            Name, Metric, Scope.ToDictionary(f => f.Key, f => (IReadOnlyList<string>?)f.Value), WindowHours, Threshold, Severity, MinCalls, Channels));
        return rule ?? throw new InvalidOperationException($"Stored alert rule {Tenant}/{Id} is no longer valid: {string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}"))}");
    }
}

/// <summary>A stored rule with the etag of its document.</summary>
public sealed record StoredAlertRule(AlertRuleDocument Rule, string ETag);

/// <summary>Alert rules in the config container: partition = the tenant, id and range key = <c>rule:&lt;id&gt;</c>; writes are conditional on the etag.</summary>
public sealed class AlertRuleStore(IDocumentStore store)
{
    private readonly TenantDocumentSet<AlertRuleDocument> _rules = new(store, "rule:");

    public static string NewId() => TenantDocumentSet<AlertRuleDocument>.NewId();

    public async Task<StoredAlertRule?> GetAsync(string tenant, string id, CancellationToken cancellationToken) =>
        await _rules.GetAsync(tenant, id, cancellationToken) is { } stored ? new StoredAlertRule(stored.Value, stored.ETag) : null;

    /// <summary>Every rule of <paramref name="tenant"/>, by name then id.</summary>
    public async Task<IReadOnlyList<StoredAlertRule>> ListAsync(string tenant, CancellationToken cancellationToken) =>
        (await _rules.ListAsync(tenant, cancellationToken)).Select(r => new StoredAlertRule(r.Value, r.ETag))
            .OrderBy(r => r.Rule.Name, StringComparer.Ordinal).ThenBy(r => r.Rule.Id, StringComparer.Ordinal).ToList();

    public Task<WriteResult> CreateAsync(AlertRuleDocument rule, CancellationToken cancellationToken) => _rules.CreateAsync(rule.Tenant, rule.Id, rule, cancellationToken);

    public Task<WriteResult> ReplaceAsync(AlertRuleDocument rule, string etag, CancellationToken cancellationToken) => _rules.ReplaceAsync(rule.Tenant, rule.Id, rule, etag, cancellationToken);

    public Task<WriteResult> DeleteAsync(string tenant, string id, string? etag, CancellationToken cancellationToken) => _rules.DeleteAsync(tenant, id, etag, cancellationToken);
}

/// <summary>The alert rules of a tenant that name a channel.</summary>
internal sealed class AlertRuleChannelReferences(AlertRuleStore rules) : IChannelReferences
{
    public async Task<IReadOnlyList<ChannelReference>> NamingAsync(string tenant, string channelId, CancellationToken cancellationToken) =>
        (await rules.ListAsync(tenant, cancellationToken))
            .Where(r => r.Rule.Channels.Contains(channelId, StringComparer.Ordinal))
            .Select(r => new ChannelReference("alert-rule", r.Rule.Id, r.Rule.Name))
            .ToList();
}
