using TokenTally.Core.Rollups;

namespace TokenTally.Core.Budgets;

/// <summary>
/// What a budget counts: every call of the tenant (no filters), or the calls matching a filter on some dimensions, each
/// with the values it admits (<c>{"project": ["support-bot"], "model": ["gpt-4o", "gpt-4o-mini"]}</c>). A call matches
/// when, for every filtered dimension, its value is one of the listed ones.
/// </summary>
public sealed record BudgetScope
{
    private BudgetScope(IReadOnlyDictionary<Dimension, IReadOnlyList<string>> filters) => Filters = filters;

    /// <summary>The whole tenant.</summary>
    public static BudgetScope Tenant { get; } = new(new Dictionary<Dimension, IReadOnlyList<string>>());

    /// <summary>
    /// The dimensions a budget may filter on, by the names the costs API and the rollups use for them
    /// (<c>project</c>, <c>service</c>, <c>environment</c>, <c>provider</c>, <c>model</c>, <c>department</c>, <c>user</c>).
    /// </summary>
    public static IReadOnlyDictionary<string, Dimension> Dimensions { get; } = new Dictionary<string, Dimension>(StringComparer.Ordinal)
    {
        ["project"] = Dimension.Project,
        ["service"] = Dimension.Service,
        ["environment"] = Dimension.Environment,
        ["provider"] = Dimension.Provider,
        ["model"] = Dimension.Model,
        ["department"] = Dimension.Department,
        ["user"] = Dimension.User,
    };

    /// <summary>Each filtered dimension with the values it admits, in the order given; empty for the whole tenant.</summary>
    public IReadOnlyDictionary<Dimension, IReadOnlyList<string>> Filters { get; }

    /// <summary>Whether the budget counts the whole tenant.</summary>
    public bool IsTenant => Filters.Count == 0;

    /// <summary>The rollup cube that holds every filtered dimension (the smallest such), which a budget check reads.</summary>
    public Cube Cube => Cube.Covering(Filters.Keys) ?? throw new InvalidOperationException("A validated scope always has a covering cube.");

    /// <summary>
    /// Whether the budget counts spend in <paramref name="request"/>, a scope given one value per dimension (what an app is
    /// about to spend in): every dimension the budget filters on must be given, with one of the values the budget admits. A
    /// budget filtering on a dimension the request leaves open does not apply: the request may or may not fall in it.
    /// </summary>
    public bool Covers(IReadOnlyDictionary<Dimension, string> request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Filters.All(f => request.TryGetValue(f.Key, out var value) && f.Value.Contains(value, StringComparer.Ordinal));
    }

    /// <summary>Whether a call with these dimension values (see <see cref="CallFact"/>) counts toward the budget.</summary>
    public bool Counts(CallFact call)
    {
        ArgumentNullException.ThrowIfNull(call);
        foreach (var (dimension, values) in Filters)
        {
            if (!values.Contains(call[dimension], StringComparer.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether a rollup row of a cube holding every filtered dimension (see <see cref="Cube"/>) counts toward the scope.</summary>
    public bool Admits(RollupRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return Filters.All(f => row.ValueOf(f.Key) is { } value && f.Value.Contains(value, StringComparer.Ordinal));
    }

    /// <summary>The name of <paramref name="dimension"/> as the API spells it.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is not one a budget may filter on.</exception>
    public static string NameOf(Dimension dimension) =>
        Dimensions.FirstOrDefault(d => d.Value == dimension).Key ?? throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Budgets do not filter on this dimension.");

    /// <summary>Builds a scope from filters already checked by <see cref="BudgetValidator"/>.</summary>
    internal static BudgetScope Of(IReadOnlyDictionary<Dimension, IReadOnlyList<string>> filters) => filters.Count == 0 ? Tenant : new(filters);

    /// <inheritdoc/>
    public bool Equals(BudgetScope? other) =>
        other is not null && Filters.Count == other.Filters.Count &&
        Filters.All(f => other.Filters.TryGetValue(f.Key, out var values) && values.SequenceEqual(f.Value, StringComparer.Ordinal));

    /// <inheritdoc/>
    public override int GetHashCode() => Filters.Count;
}
