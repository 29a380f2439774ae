using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TokenTally.Core.Alerts;

/// <summary>
/// What identifies one alert: the rule that raised it, the scope it watches, the period it is about and the threshold
/// crossed. A budget's 80 % alert for December is <c>(budget:b1, project=support-bot, 2026-12, 80)</c>; because the key
/// holds all four, "once per budget, period and threshold" is a property of the key, and a new period starts clean.
/// </summary>
/// <param name="RuleId">The rule, e.g. <c>budget:1f2e3d4c5b6a7980</c>.</param>
/// <param name="ScopeKey">The scope in canonical form (see <see cref="AlertScopes"/>), e.g. <c>project=support-bot</c>.</param>
/// <param name="PeriodKey">The period, e.g. <c>2026-12</c>; empty text is not allowed (use <c>all</c> for a rule without periods).</param>
/// <param name="Threshold">The threshold in the rule's unit, e.g. 80 (%).</param>
public sealed record AlertKey(string RuleId, string ScopeKey, string PeriodKey, decimal Threshold)
{
    /// <summary>The key as one line, <c>rule/scope/period/threshold</c>, with the threshold without trailing zeros (80.0 is 80).</summary>
    public string Text => $"{RuleId}/{ScopeKey}/{PeriodKey}/{Threshold.ToString("0.############################", CultureInfo.InvariantCulture)}";

    /// <summary>The alert's id: 16 lower-case hex digits of SHA-256 over <see cref="Text"/>, the same wherever it is computed.</summary>
    public string Id => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Text)).AsSpan(0, 8));

    /// <summary>Checks that every part is present.</summary>
    /// <exception cref="ArgumentException">A part is empty or the threshold is not positive.</exception>
    public AlertKey Validated()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(RuleId);
        ArgumentException.ThrowIfNullOrWhiteSpace(ScopeKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(PeriodKey);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Threshold);
        return this;
    }
}

/// <summary>The canonical text of an alert's scope, so the same scope always gives the same key and readers can filter on it.</summary>
public static class AlertScopes
{
    /// <summary>The whole tenant.</summary>
    public const string Tenant = "tenant";

    /// <summary>One project: <c>project=&lt;name&gt;</c> (what a <c>read:project</c> key may see).</summary>
    public static string Project(string project) => Of(new Dictionary<string, IReadOnlyList<string>> { ["project"] = [project] });

    /// <summary>
    /// A filter of dimension → values as <c>dim=v1,v2;dim2=v3</c>, dimensions and values sorted ordinally;
    /// <see cref="Tenant"/> when there is no filter.
    /// </summary>
    public static string Of(IReadOnlyDictionary<string, IReadOnlyList<string>> filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        var parts = filters.Where(f => f.Value.Count > 0).OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => f.Key + "=" + string.Join(",", f.Value.Distinct().Order(StringComparer.Ordinal)))
            .ToList();
        return parts.Count == 0 ? Tenant : string.Join(";", parts);
    }
}
