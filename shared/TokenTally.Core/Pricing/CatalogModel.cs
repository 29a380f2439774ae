using TokenTally.Core.Calls;

namespace TokenTally.Core.Pricing;

/// <summary>A model in the price catalog: its canonical id, the names it answers to, and its prices over time.</summary>
public sealed class CatalogModel
{
    internal CatalogModel(
        string id,
        string provider,
        CallOperation operation,
        IReadOnlyList<string> aliases,
        IReadOnlyList<PricePeriod> periods,
        string source,
        string? note)
    {
        Id = id;
        Provider = provider;
        Operation = operation;
        Aliases = aliases;
        Periods = periods;
        Source = source;
        Note = note;
    }

    /// <summary>The canonical model id, lower case (for example <c>gpt-4o</c>); unique within its provider.</summary>
    public string Id { get; }

    /// <summary>The canonical provider id (for example <c>openai</c> or <c>azure-openai</c>).</summary>
    public string Provider { get; }

    /// <summary><c>{Provider}/{Id}</c>, unique across the catalog.</summary>
    public string Key => $"{Provider}/{Id}";

    /// <summary>What the model does (chat or embedding).</summary>
    public CallOperation Operation { get; }

    /// <summary>Other names that resolve to this model (dated snapshots, <c>-latest</c> names, vendor ids), lower case.</summary>
    public IReadOnlyList<string> Aliases { get; }

    /// <summary>Price periods in ascending order of <see cref="PricePeriod.EffectiveFrom"/>; never empty.</summary>
    public IReadOnlyList<PricePeriod> Periods { get; }

    /// <summary>Where the prices come from (reference entries or hand-entered facts).</summary>
    public string Source { get; }

    /// <summary>Remarks on the model, including the evidence for dated price changes, or <see langword="null"/>.</summary>
    public string? Note { get; }

    /// <summary>The period in force at <paramref name="timestamp"/>: the last one whose start is not after it.</summary>
    /// <param name="timestamp">When the call was made.</param>
    /// <returns>The period, or <see langword="null"/> when the call predates the model's first price.</returns>
    public PricePeriod? PeriodAt(DateTimeOffset timestamp)
    {
        // By index: foreach over the interface would allocate an enumerator for every call priced.
        PricePeriod? inForce = null;
        for (var i = 0; i < Periods.Count; i++)
        {
            var period = Periods[i];
            if (period.EffectiveFromUtc > timestamp)
            {
                break;
            }

            inForce = period;
        }

        return inForce;
    }
}
