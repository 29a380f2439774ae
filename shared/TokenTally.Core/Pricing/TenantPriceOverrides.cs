using System.Collections.ObjectModel;

namespace TokenTally.Core.Pricing;

/// <summary>A tenant's negotiated prices: custom prices for some models, and a discount on the catalog price of the others.</summary>
/// <param name="DiscountPercent">
/// A discount from 0 to 100 (inclusive) applied to every token class of catalog-priced calls, or <see langword="null"/>
/// for none. It does not apply to models with a custom price.
/// </param>
/// <param name="CustomPrices">
/// Prices that replace the catalog entirely for a model, keyed by canonical model id (<c>gpt-4o</c>, every provider) or by
/// provider and id (<c>azure-openai/gpt-4o</c>, which wins). Keys are case-insensitive; aliases are not keys.
/// </param>
/// <exception cref="ArgumentOutOfRangeException"><paramref name="DiscountPercent"/> is below 0 or above 100.</exception>
/// <exception cref="ArgumentException">A key of <paramref name="CustomPrices"/> is blank or repeats another key in a different case.</exception>
/// <exception cref="ArgumentNullException"><paramref name="CustomPrices"/> or one of its prices is <see langword="null"/>.</exception>
public sealed record TenantPriceOverrides(decimal? DiscountPercent, IReadOnlyDictionary<string, ModelPrice> CustomPrices)
{
    private static readonly ReadOnlyDictionary<string, ModelPrice> NoCustomPrices =
        new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase).AsReadOnly();

    /// <summary>The discount in percent (0–100), or <see langword="null"/>.</summary>
    public decimal? DiscountPercent { get; } = ValidDiscount(DiscountPercent);

    /// <summary>Custom prices by case-insensitive canonical model id or <c>provider/id</c>.</summary>
    public IReadOnlyDictionary<string, ModelPrice> CustomPrices { get; } = CaseInsensitiveCopy(CustomPrices);

    /// <summary>Overrides that only discount the catalog prices.</summary>
    /// <param name="percent">The discount, 0 to 100.</param>
    /// <returns>The overrides.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="percent"/> is below 0 or above 100.</exception>
    public static TenantPriceOverrides Discount(decimal percent) => new(percent, NoCustomPrices);

    /// <summary>The custom price for a catalog model: the <c>provider/id</c> key first, then the id.</summary>
    /// <param name="model">The resolved catalog model.</param>
    /// <returns>The custom price, or <see langword="null"/> when the catalog price applies.</returns>
    public ModelPrice? CustomPriceFor(CatalogModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return CustomPrices.GetValueOrDefault(model.Key) ?? CustomPrices.GetValueOrDefault(model.Id);
    }

    private static decimal? ValidDiscount(decimal? percent) =>
        percent is null || (percent >= 0 && percent <= 100)
            ? percent
            : throw new ArgumentOutOfRangeException(nameof(DiscountPercent), percent, "A discount is a percentage from 0 to 100.");

    private static ReadOnlyDictionary<string, ModelPrice> CaseInsensitiveCopy(IReadOnlyDictionary<string, ModelPrice> prices)
    {
        ArgumentNullException.ThrowIfNull(prices, nameof(CustomPrices));
        var copy = new Dictionary<string, ModelPrice>(prices.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, price) in prices)
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                throw new ArgumentException("A custom price needs a model id.", nameof(CustomPrices));
            }

            ArgumentNullException.ThrowIfNull(price, nameof(CustomPrices));
            if (!copy.TryAdd(key.Trim(), price))
            {
                throw new ArgumentException($"The custom price for '{key}' is given twice (keys ignore case).", nameof(CustomPrices));
            }
        }

        return copy.AsReadOnly();
    }
}
