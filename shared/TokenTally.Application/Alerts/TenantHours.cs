namespace TokenTally.Application.Alerts;

/// <summary>The hours of one tenant whose rollups a run recomputed: the budget and rule checks evaluate their alerts at them.</summary>
public sealed record TenantHours(string Tenant, IReadOnlyList<DateTimeOffset> Hours);
