using System.Globalization;
using TokenTally.Core.Calls;
using TokenTally.Core.Pricing;

namespace TokenTally.Core.Tests.Pricing;

public sealed class PricerOutcomeTests
{
    private static readonly DateTimeOffset Recently = new(2026, 7, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TokenUsage SomeTokens = new(1_000, 100);

    private static Pricer CreateSut() => new(PriceCatalog.Default);

    [Fact]
    public void AnUnknownModelIsUnpricedAndNamed()
    {
        var outcome = CreateSut().Price(new PricingRequest("openai", "gpt-7-ultra", Recently, SomeTokens));

        var unpriced = Assert.IsType<PricingOutcome.Unpriced>(outcome);
        Assert.Equal(UnpricedReason.UnknownModel, unpriced.Reason);
        Assert.Contains("gpt-7-ultra", unpriced.Detail, StringComparison.Ordinal);
        Assert.False(outcome.IsPriced);
    }

    [Fact]
    public void AnUnknownProviderIsUnpriced()
    {
        var outcome = CreateSut().Price(new PricingRequest("bedrock", "claude-sonnet-4-5", Recently, SomeTokens));

        Assert.Equal(UnpricedReason.UnknownProvider, Assert.IsType<PricingOutcome.Unpriced>(outcome).Reason);
    }

    [Fact]
    public void ACallBeforeTheFirstEffectiveDateIsUnpriced()
    {
        // o3's first price starts 2025-04-16T00:00:00Z
        var outcome = CreateSut().Price(new PricingRequest("openai", "o3", new DateTimeOffset(2025, 4, 15, 23, 59, 59, TimeSpan.Zero), SomeTokens));

        var unpriced = Assert.IsType<PricingOutcome.Unpriced>(outcome);
        Assert.Equal(UnpricedReason.NoPriceInForce, unpriced.Reason);
        Assert.Contains("2025-04-16", unpriced.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void AzureO3BeforeTheRecordedPriceIsUnpricedRatherThanGuessed()
    {
        var outcome = CreateSut().Price(new PricingRequest("azure", "o3", new DateTimeOffset(2025, 5, 1, 0, 0, 0, TimeSpan.Zero), SomeTokens));

        Assert.Equal(UnpricedReason.NoPriceInForce, Assert.IsType<PricingOutcome.Unpriced>(outcome).Reason);
    }

    [Fact]
    public void TheEffectiveDateIsMidnightUtcWhateverTheCallersOffset()
    {
        // 2025-06-10T01:00+02:00 is 2025-06-09T23:00Z: still the launch price (1M × 10)
        var beforeCut = new DateTimeOffset(2025, 6, 10, 1, 0, 0, TimeSpan.FromHours(2));

        var outcome = CreateSut().Price(new PricingRequest("openai", "o3", beforeCut, new TokenUsage(1_000_000, 0)));

        Assert.Equal(10m, Assert.IsType<PricingOutcome.Priced>(outcome).Cost.Total);
    }

    [Theory]
    [InlineData(100, 0, 60, 50, 0)]
    [InlineData(100, 10, 0, 0, 11)]
    [InlineData(-1, 0, 0, 0, 0)]
    [InlineData(100, -5, 0, 0, 0)]
    [InlineData(100, 10, -1, 0, 0)]
    public void InconsistentTokenCountsAreUnpriced(long input, long output, long cached, long write, long reasoning)
    {
        var usage = new TokenUsage(input, output, cached, write, reasoning);

        var outcome = CreateSut().Price(new PricingRequest("openai", "gpt-4o", Recently, usage));

        Assert.Equal(UnpricedReason.InvalidUsage, Assert.IsType<PricingOutcome.Unpriced>(outcome).Reason);
    }

    [Fact]
    public void ACustomPriceDoesNotMakeAnUnknownModelKnown()
    {
        var overrides = new TenantPriceOverrides(null, new Dictionary<string, ModelPrice> { ["my-finetune"] = new(1m, 2m) });

        var outcome = CreateSut().Price(new PricingRequest("openai", "my-finetune", Recently, SomeTokens), overrides);

        Assert.Equal(UnpricedReason.UnknownModel, Assert.IsType<PricingOutcome.Unpriced>(outcome).Reason);
    }

    [Fact]
    public void ACustomPriceAppliesWhateverTheDateTierOrContextSize()
    {
        // custom 1 / 2 replaces everything: 300,000 × 1 = 0.3; 1,000 × 2 = 0.002, even before o3's first catalog price
        var overrides = new TenantPriceOverrides(null, new Dictionary<string, ModelPrice> { ["openai/o3"] = new(1m, 2m) });
        var request = new PricingRequest("openai", "o3", new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), new TokenUsage(300_000, 1_000), ServiceTier.Priority);

        var cost = Assert.IsType<PricingOutcome.Priced>(CreateSut().Price(request, overrides)).Cost;

        Assert.Equal(0.302m, cost.Total);
        Assert.Equal("catalog:2026-07-18/openai/o3+custom", cost.PriceVersion);
    }

    [Fact]
    public void AFullDiscountMakesTheCallFree()
    {
        var cost = Assert.IsType<PricingOutcome.Priced>(
            CreateSut().Price(new PricingRequest("openai", "gpt-4o", Recently, SomeTokens), TenantPriceOverrides.Discount(100m))).Cost;

        Assert.Equal(0m, cost.Total);
        Assert.EndsWith("+override:discount-100%", cost.PriceVersion, StringComparison.Ordinal);
    }

    [Fact]
    public void AZeroDiscountLeavesThePriceVersionUntouched()
    {
        var cost = Assert.IsType<PricingOutcome.Priced>(
            CreateSut().Price(new PricingRequest("openai", "gpt-4o", Recently, SomeTokens), TenantPriceOverrides.Discount(0m))).Cost;

        Assert.Equal("catalog:2026-07-18/openai/gpt-4o@2024-10-02/standard", cost.PriceVersion);
    }

    [Fact]
    public void AFractionalDiscountIsExactAndShownAsGiven()
    {
        // (1M × 2.5 + 1M × 10) × (100 − 12.5) / 100 = 12.5 × 0.875 = 10.9375
        var cost = Assert.IsType<PricingOutcome.Priced>(
            CreateSut().Price(new PricingRequest("openai", "gpt-4o", Recently, new TokenUsage(1_000_000, 1_000_000)), TenantPriceOverrides.Discount(12.5m))).Cost;

        Assert.Equal(10.9375m, cost.Total);
        Assert.EndsWith("+override:discount-12.5%", cost.PriceVersion, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(100.01)]
    public void ADiscountOutsideZeroToHundredIsRejected(double percent) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TenantPriceOverrides.Discount((decimal)percent));

    [Fact]
    public void CustomPriceKeysIgnoreCaseButMayNotRepeat()
    {
        var prices = new Dictionary<string, ModelPrice>(StringComparer.Ordinal) { ["gpt-4o"] = new(1m, 1m), ["GPT-4O"] = new(2m, 2m) };

        Assert.Throws<ArgumentException>(() => new TenantPriceOverrides(null, prices));
    }

    [Fact]
    public void ANegativeCustomPriceIsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelPrice(1m, 1m, cachedInput: -0.1m));

    [Fact]
    public void AnAzureDeploymentTypeIsIgnoredForOtherProviders()
    {
        var request = new PricingRequest("openai", "gpt-4o", Recently, new TokenUsage(1_000_000, 0), AzureDeploymentType: AzureDeploymentType.DataZone);

        var cost = Assert.IsType<PricingOutcome.Priced>(CreateSut().Price(request)).Cost;

        Assert.Equal(2.5m, cost.Total);
        Assert.Equal("catalog:2026-07-18/openai/gpt-4o@2024-10-02/standard", cost.PriceVersion);
    }

    [Fact]
    public void ThePriceVersionDoesNotDependOnTheCurrentCulture()
    {
        var original = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("th-TH"); // Buddhist calendar: 2024 is 2567
            var cost = Assert.IsType<PricingOutcome.Priced>(
                CreateSut().Price(new PricingRequest("openai", "gpt-4o", Recently, SomeTokens), TenantPriceOverrides.Discount(12.5m))).Cost;

            Assert.Equal("catalog:2026-07-18/openai/gpt-4o@2024-10-02/standard+override:discount-12.5%", cost.PriceVersion);
        }
        finally
        {
            CultureInfo.CurrentCulture = original;
        }
    }

    [Fact]
    public void AnUndefinedServiceTierIsAProgrammingError() =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            CreateSut().Price(new PricingRequest("openai", "gpt-4o", Recently, SomeTokens, (ServiceTier)42)));
}
