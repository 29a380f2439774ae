using FsCheck;
using FsCheck.Fluent;
using TokenTally.Core.Calls;
using TokenTally.Core.Pricing;

namespace TokenTally.Core.Tests.Pricing;

/// <summary>
/// Properties of the pricer over random token counts. Prompts stay at or below 200,000 tokens, the lowest long-context
/// threshold in the catalog, so that a tier switch (which re-prices the whole call) does not break monotonicity.
/// </summary>
public sealed class PricerPropertyTests
{
    private const int MaxPerPromptClass = 50_000; // three prompt classes plus growth of up to 50,000 stay ≤ 200,000
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(500);
    private static readonly Pricer Sut = new(PriceCatalog.Default);
    private static readonly DateTimeOffset Recently = new(2026, 7, 1, 12, 0, 0, TimeSpan.Zero);

    // Models that exercise every price class: cache reads and writes, separate reasoning prices, explicit and derived
    // service tiers, Azure deployment rows, and long-context tiers (not reached below 200k).
    private static readonly (string Provider, string Model)[] Models =
    [
        ("openai", "gpt-4o"), ("openai", "o3"), ("openai", "gpt-5"), ("openai", "gpt-5-nano"), ("openai", "gpt-5.4"),
        ("azure", "gpt-4o"), ("azure", "gpt-4.1"), ("azure", "gpt-4o-mini"),
        ("anthropic", "claude-sonnet-4-5"), ("anthropic", "claude-haiku-4-5"),
        ("google", "gemini-2.5-flash-preview-04-17"), ("google", "gemini-3-pro-preview"), ("google", "gemini-2.5-pro"),
        ("mistral", "mistral-large"), ("meta", "llama-4-maverick"), ("cohere", "embed-v4.0"),
    ];

    private static readonly Gen<TokenUsage> Usages =
        from uncached in Gen.Choose(0, MaxPerPromptClass)
        from cached in Gen.Choose(0, MaxPerPromptClass)
        from write in Gen.Choose(0, MaxPerPromptClass)
        from visible in Gen.Choose(0, 200_000)
        from reasoning in Gen.Choose(0, 200_000)
        select new TokenUsage(uncached + cached + write, visible + reasoning, cached, write, reasoning);

    private static readonly Gen<Call> Calls =
        from model in Gen.Elements(Models)
        from usage in Usages
        from tier in Gen.Elements(Enum.GetValues<ServiceTier>())
        from azure in Gen.Elements<AzureDeploymentType?>(null, AzureDeploymentType.Global, AzureDeploymentType.DataZone, AzureDeploymentType.Regional)
        from discount in Gen.Elements<decimal?>(null, 0m, 15m, 33.3m)
        select new Call(new PricingRequest(model.Provider, model.Model, Recently, usage, tier, azure), discount is { } d ? TenantPriceOverrides.Discount(d) : null);

    [Fact]
    public void TheTotalIsTheSumOfNonNegativePartsEachPricedFromTheCatalog()
    {
        var property = Prop.ForAll(Calls.ToArbitrary(), call =>
        {
            var cost = Assert.IsType<PricingOutcome.Priced>(Sut.Price(call.Request, call.Overrides)).Cost;
            var usage = call.Request.Usage;

            Assert.Equal(cost.Input + cost.CachedInput + cost.CacheWrite + cost.Output + cost.Reasoning, cost.Total);
            Assert.All(new[] { cost.Input, cost.CachedInput, cost.CacheWrite, cost.Output, cost.Reasoning }, part => Assert.True(part >= 0));
            Assert.True(usage.UncachedInput > 0 || cost.Input == 0);
            Assert.True(usage.Reasoning > 0 || cost.Reasoning == 0);
        });

        Check.One(Runs, property);
    }

    [Fact]
    public void AddingTokensOfAnyClassNeverLowersTheCost()
    {
        var growth =
            from call in Calls
            from tokenClass in Gen.Choose(0, 4)
            from extra in Gen.Choose(1, MaxPerPromptClass)
            select (call, grown: Grow(call, tokenClass, extra));

        var property = Prop.ForAll(growth.ToArbitrary(), pair =>
        {
            var before = Assert.IsType<PricingOutcome.Priced>(Sut.Price(pair.call.Request, pair.call.Overrides)).Cost.Total;
            var after = Assert.IsType<PricingOutcome.Priced>(Sut.Price(pair.grown.Request, pair.grown.Overrides)).Cost.Total;

            Assert.True(after >= before, $"{pair.call.Request.Usage} cost {before}, but {pair.grown.Request.Usage} cost {after}");
        });

        Check.One(Runs, property);
    }

    [Fact]
    public void MultiplyingEveryTokenCountMultipliesTheCostExactly()
    {
        // prompts of at most 3 × 16,000 tokens stay at or below 200,000 even when multiplied by 4
        var smallUsages =
            from uncached in Gen.Choose(0, 16_000)
            from cached in Gen.Choose(0, 16_000)
            from write in Gen.Choose(0, 16_000)
            from visible in Gen.Choose(0, 100_000)
            from reasoning in Gen.Choose(0, 100_000)
            select new TokenUsage(uncached + cached + write, visible + reasoning, cached, write, reasoning);
        var cases =
            from call in Calls
            from usage in smallUsages
            from factor in Gen.Choose(2, 4)
            select (call: call with { Request = call.Request with { Usage = usage } }, factor);

        var property = Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var u = c.call.Request.Usage;
            var multiplied = new TokenUsage(u.Input * c.factor, u.Output * c.factor, u.CachedInput * c.factor, u.CacheWrite * c.factor, u.Reasoning * c.factor);

            var once = Assert.IsType<PricingOutcome.Priced>(Sut.Price(c.call.Request, c.call.Overrides)).Cost.Total;
            var many = Assert.IsType<PricingOutcome.Priced>(Sut.Price(c.call.Request with { Usage = multiplied }, c.call.Overrides)).Cost.Total;

            Assert.Equal(once * c.factor, many);
        });

        Check.One(Runs, property);
    }

    [Fact]
    public void APricerThatRemembersRowsPricesEveryCallAsAFreshPricerWould()
    {
        // Timestamps from before the first prices to today cross periods; prompts up to 1.2M tokens cross every
        // long-context tier; custom prices and discounts vary. The shared pricer sees the same name strings again and again.
        var custom = new TenantPriceOverrides(null, new Dictionary<string, ModelPrice> { ["openai/gpt-4o"] = new(1.25m, 5m) });
        var cases =
            from call in Calls
            from days in Gen.Choose(0, 4 * 365)
            from prompt in Gen.Choose(0, 1_200_000)
            from overrides in Gen.Elements(call.Overrides, custom, null)
            let usage = call.Request.Usage with { Input = call.Request.Usage.Input + prompt }
            select call with { Request = call.Request with { Timestamp = Recently.AddDays(-days), Usage = usage }, Overrides = overrides };
        var remembering = new Pricer(PriceCatalog.Default);

        var property = Prop.ForAll(cases.ToArbitrary(), call =>
        {
            var fresh = new Pricer(PriceCatalog.Default).Price(call.Request, call.Overrides);

            // ToString prints every decimal with its scale, so 0.50 and 0.5 differ.
            Assert.Equal(fresh.ToString(), remembering.Price(call.Request, call.Overrides).ToString());
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(3_000), property);
    }

    private static Call Grow(Call call, int tokenClass, int extra)
    {
        var u = call.Request.Usage;
        var grown = tokenClass switch
        {
            0 => u with { Input = u.Input + extra },
            1 => u with { Input = u.Input + extra, CachedInput = u.CachedInput + extra },
            2 => u with { Input = u.Input + extra, CacheWrite = u.CacheWrite + extra },
            3 => u with { Output = u.Output + extra },
            _ => u with { Output = u.Output + extra, Reasoning = u.Reasoning + extra },
        };
        return call with { Request = call.Request with { Usage = grown } };
    }

    private sealed record Call(PricingRequest Request, TenantPriceOverrides? Overrides);
}
