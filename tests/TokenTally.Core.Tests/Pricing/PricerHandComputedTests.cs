using System.Globalization;
using TokenTally.Core.Calls;
using TokenTally.Core.Pricing;

namespace TokenTally.Core.Tests.Pricing;

/// <summary>
/// Calls priced against the default catalog, each expected cost worked out by hand from the catalog's prices
/// (USD per 1M tokens; cost = tokens × price ÷ 1,000,000). The comment on each case shows the arithmetic.
/// </summary>
public sealed class PricerHandComputedTests
{
    private const string V = "catalog:2026-07-18/";
    private static readonly DateTimeOffset Recently = At("2026-07-01T12:00:00Z");

    private static readonly Dictionary<string, PricingCase> Cases = new PricingCase[]
    {
        // ------------------------------------------------------------------ plain chat
        // 1,000 × 2.50 = 0.0025; 500 × 10 = 0.005
        new("plain gpt-4o", "openai", "gpt-4o", Usage(1_000, 500), 0.0075m, V + "openai/gpt-4o@2024-10-02/standard"),
        // 2M × 0.15 = 0.30; 1M × 0.60 = 0.60
        new("plain gpt-4o-mini", "openai", "gpt-4o-mini", Usage(2_000_000, 1_000_000), 0.90m, V + "openai/gpt-4o-mini@2024-07-18/standard"),
        // 1,000 × 15 = 0.015; 1,000 × 75 = 0.075
        new("plain claude-opus-4-1 by dated id", "anthropic", "claude-opus-4-1-20250805", Usage(1_000, 1_000), 0.09m, V + "anthropic/claude-opus-4-1@2025-08-05/standard"),
        // 1M × 0.72 = 0.72; 1M × 0.72 = 0.72 (Bedrock price of Llama 3.3 70B)
        new("plain llama 3.3 by hugging face name", "meta", "meta-llama/Llama-3.3-70B-Instruct", Usage(1_000_000, 1_000_000), 1.44m, V + "meta/llama-3.3-70b-instruct@2024-12-06/standard"),
        // uncached 1,000,000 × 0.15 = 0.15; cached 234,567 × 0.075 = 0.017592525; out 7,654 × 0.60 = 0.0045924
        new("odd counts stay exact", "openai", "gpt-4o-mini", Usage(1_234_567, 7_654, cached: 234_567), 0.172184925m, V + "openai/gpt-4o-mini@2024-07-18/standard"),
        // every class is zero
        new("zero tokens cost nothing", "openai", "gpt-4o", Usage(0, 0), 0m, V + "openai/gpt-4o@2024-10-02/standard"),

        // ------------------------------------------------------------------ cache reads and writes
        // uncached 2,000 × 2.50 = 0.005; cached 8,000 × 1.25 = 0.01; out 200 × 10 = 0.002
        new("gpt-4o cache reads at half price", "openai", "gpt-4o", Usage(10_000, 200, cached: 8_000), 0.017m, V + "openai/gpt-4o@2024-10-02/standard"),
        // uncached 40,000 × 2 = 0.08; cached 60,000 × 0.50 = 0.03; out 1,000 × 8 = 0.008
        new("gpt-4.1 cache reads at a quarter", "openai", "gpt-4.1", Usage(100_000, 1_000, cached: 60_000), 0.118m, V + "openai/gpt-4.1@2025-04-14/standard"),
        // uncached 10,000 × 3 = 0.03; write 40,000 × 3.75 = 0.15; out 1,000 × 15 = 0.015
        new("anthropic cache write at the 5-minute price", "anthropic", "claude-sonnet-4-5", Usage(50_000, 1_000, write: 40_000), 0.195m, V + "anthropic/claude-sonnet-4-5@2025-09-29/standard"),
        // uncached 5,000 × 1 = 0.005; cached 20,000 × 0.10 = 0.002; write 5,000 × 1.25 = 0.00625; out 2,000 × 5 = 0.01
        new("anthropic cache read and write together", "anthropic", "claude-haiku-4-5", Usage(30_000, 2_000, cached: 20_000, write: 5_000), 0.02325m, V + "anthropic/claude-haiku-4-5@2025-10-01/standard"),

        // ------------------------------------------------------------------ reasoning
        // in 5,000 × 2 = 0.01; visible 2,000 × 8 = 0.016; reasoning 10,000 × 8 = 0.08
        new("o3 reasoning at the output price", "openai", "o3", Usage(5_000, 12_000, reasoning: 10_000), 0.106m, V + "openai/o3@2025-06-10/standard"),
        // in 10,000 × 0.15 = 0.0015; visible 1,000 × 0.60 = 0.0006; thinking 4,000 × 3.50 = 0.014
        new("gemini flash preview thinking at its own price", "google", "gemini-2.5-flash-preview-04-17", Usage(10_000, 5_000, reasoning: 4_000), 0.0161m,
            V + "google/gemini-2.5-flash-preview-04-17@2025-04-17/standard", At("2025-05-01T00:00:00Z")),
        // in 100,000 × 0.30 = 0.03; visible 2,000 × 2.50 = 0.005; thinking 8,000 × 2.50 = 0.02
        new("gemini 2.5 flash thinking at the output price", "google", "gemini-2.5-flash", Usage(100_000, 10_000, reasoning: 8_000), 0.055m, V + "google/gemini-2.5-flash@2025-06-17/standard"),

        // ------------------------------------------------------------------ long-context tiers
        // above 200k, every token at 6 / 0.60 / 22.50: uncached 200,000 × 6 = 1.2; cached 50,000 × 0.60 = 0.03; out 2,000 × 22.50 = 0.045
        new("claude-sonnet-4-5 above 200k bills the whole call at tier prices", "anthropic", "claude-sonnet-4-5", Usage(250_000, 2_000, cached: 50_000), 1.275m,
            V + "anthropic/claude-sonnet-4-5@2025-09-29/above-200k/standard"),
        // exactly 200,000 is not above: 200,000 × 3 = 0.6; 1,000 × 15 = 0.015
        new("claude-sonnet-4-5 at exactly 200k stays standard", "anthropic", "claude-sonnet-4-5", Usage(200_000, 1_000), 0.615m, V + "anthropic/claude-sonnet-4-5@2025-09-29/standard"),
        // above 200k: write 100,000 × 7.50 = 0.75; uncached 150,000 × 6 = 0.9; out 0
        new("claude-sonnet-4 above 200k bills cache writes at the tier price", "anthropic", "claude-sonnet-4-20250514", Usage(250_000, 0, write: 100_000), 1.65m,
            V + "anthropic/claude-sonnet-4@2025-05-14/above-200k/standard"),
        // above 200k, 2.50 / 15: 300,000 × 2.50 = 0.75; 10,000 × 15 = 0.15
        new("gemini-2.5-pro above 200k", "google", "gemini-2.5-pro", Usage(300_000, 10_000), 0.9m, V + "google/gemini-2.5-pro@2025-06-17/above-200k/standard"),
        // one token over: 200,001 × 2.50 = 0.5000025
        new("gemini-2.5-pro one token above 200k", "google", "gemini-2.5-pro", Usage(200_001, 0), 0.5000025m, V + "google/gemini-2.5-pro@2025-06-17/above-200k/standard"),
        // above 272k, 5 / 22.50: 300,000 × 5 = 1.5; 1,000 × 22.50 = 0.0225
        new("gpt-5.4 above 272k", "openai", "gpt-5.4", Usage(300_000, 1_000), 1.5225m, V + "openai/gpt-5.4@2026-03-05/above-272k/standard"),

        // ------------------------------------------------------------------ price changes on a date
        // o3 launch price 10 / 40: 1M × 10 = 10; 100,000 × 40 = 4
        new("o3 one second before the 2025-06-10 cut", "openai", "o3", Usage(1_000_000, 100_000), 14m, V + "openai/o3@2025-04-16/standard", At("2025-06-09T23:59:59Z")),
        // cut price 2 / 8: 1M × 2 = 2; 100,000 × 8 = 0.8
        new("o3 at the 2025-06-10 cut", "openai", "o3", Usage(1_000_000, 100_000), 2.8m, V + "openai/o3@2025-06-10/standard", At("2025-06-10T00:00:00Z")),
        // the alias still served gpt-4o-2024-05-13 at 5 / 15: 1,000 × 5 = 0.005; 1,000 × 15 = 0.015
        new("gpt-4o one second before the alias moved", "openai", "gpt-4o", Usage(1_000, 1_000), 0.02m, V + "openai/gpt-4o@2024-05-13/standard", At("2024-10-01T23:59:59Z")),
        // 2.50 / 10: 1,000 × 2.50 = 0.0025; 1,000 × 10 = 0.01
        new("gpt-4o when the alias moved", "openai", "gpt-4o", Usage(1_000, 1_000), 0.0125m, V + "openai/gpt-4o@2024-10-02/standard", At("2024-10-02T00:00:00Z")),
        // Large 24.11 at 2 / 6: 1M × 2 + 1M × 6
        new("mistral-large-latest before Large 3", "mistral", "mistral-large-latest", Usage(1_000_000, 1_000_000), 8m, V + "mistral/mistral-large@2024-11-18/standard", At("2025-12-01T23:59:59Z")),
        // Large 3 at 0.50 / 1.50: 1M × 0.5 + 1M × 1.5
        new("mistral-large-latest after Large 3", "mistral", "mistral-large-latest", Usage(1_000_000, 1_000_000), 2m, V + "mistral/mistral-large@2025-12-02/standard", At("2025-12-02T00:00:00Z")),
        // the pinned launch snapshot keeps 5 / 15 after the alias moved: 0.005 + 0.015
        new("gpt-4o-2024-05-13 keeps its own price", "openai", "gpt-4o-2024-05-13", Usage(1_000, 1_000), 0.02m, V + "openai/gpt-4o-2024-05-13@2024-05-13/standard"),

        // ------------------------------------------------------------------ service tiers
        // explicit batch 1.25 / 5: 1M × 1.25 + 1M × 5
        new("gpt-4o batch at its explicit price", "openai", "gpt-4o", Usage(1_000_000, 1_000_000), 6.25m, V + "openai/gpt-4o@2024-10-02/batch", Tier: ServiceTier.Batch),
        // no batch price: 50% of 2 / 8 → 1M × 1 + 1M × 4
        new("o3 batch derived at half price", "openai", "o3", Usage(1_000_000, 1_000_000), 5m, V + "openai/o3@2025-06-10/batch-derived-50%", Tier: ServiceTier.Batch),
        // catalog multiplier 0.5 → 1.50 / 0.15 / 7.50: uncached 100,000 × 1.5 = 0.15; cached 50,000 × 0.15 = 0.0075; out 100,000 × 7.5 = 0.75
        new("anthropic batch by the catalog's multiplier", "anthropic", "claude-sonnet-4-5", Usage(150_000, 100_000, cached: 50_000), 0.9075m,
            V + "anthropic/claude-sonnet-4-5@2025-09-29/batch", Tier: ServiceTier.Batch),
        // the multiplier holds above 200k too, on the tier prices 6 / 0.60 / 22.50 → 3 / 0.30 / 11.25:
        // uncached 800,000 × 3 = 2.4; cached 200,000 × 0.3 = 0.06; out 100,000 × 11.25 = 1.125
        new("anthropic batch above 200k halves the long-context prices", "anthropic", "claude-sonnet-4-5", Usage(1_000_000, 100_000, cached: 200_000), 3.585m,
            V + "anthropic/claude-sonnet-4-5@2025-09-29/above-200k/batch", Tier: ServiceTier.Batch),
        // Bedrock batch 0.12 / 0.485: 1M × 0.12 + 1M × 0.485
        new("llama 4 maverick batch at bedrock's explicit price", "meta", "llama-4-maverick", Usage(1_000_000, 1_000_000), 0.605m,
            V + "meta/llama-4-maverick-17b-128e-instruct@2025-04-05/batch", Tier: ServiceTier.Batch),
        // explicit flex 1 / 0.25 / 4: uncached 500,000 × 1 = 0.5; cached 500,000 × 0.25 = 0.125; out 200,000 × 4 = 0.8
        new("o3 flex at its explicit price", "openai", "o3", Usage(1_000_000, 200_000, cached: 500_000), 1.425m, V + "openai/o3@2025-06-10/flex", Tier: ServiceTier.Flex),
        // no flex price: 50% of 2.50 / 10 → 1M × 1.25 + 1M × 5
        new("gpt-4o flex derived at half price", "openai", "gpt-4o", Usage(1_000_000, 1_000_000), 6.25m, V + "openai/gpt-4o@2024-10-02/flex-derived-50%", Tier: ServiceTier.Flex),
        // above 272k the base flex price does not apply: 50% of 5 / 22.50 → 300,000 × 2.5 = 0.75; 1,000 × 11.25 = 0.01125 (Langfuse lists the same 2.5 / 11.25)
        new("gpt-5.4 flex above 272k is half the tier price", "openai", "gpt-5.4", Usage(300_000, 1_000), 0.76125m,
            V + "openai/gpt-5.4@2026-03-05/above-272k/flex-derived-50%", Tier: ServiceTier.Flex),
        // explicit priority 2.50 / 0.25 / 20: uncached 900,000 × 2.5 = 2.25; cached 100,000 × 0.25 = 0.025; out 500,000 × 20 = 10
        new("gpt-5 priority at its explicit price", "openai", "gpt-5", Usage(1_000_000, 500_000, cached: 100_000), 12.275m, V + "openai/gpt-5@2025-08-07/priority", Tier: ServiceTier.Priority),
        // no priority price: standard 0.05 / 0.40 → 1M × 0.05 + 1M × 0.4
        new("gpt-5-nano priority without a price bills standard, flagged", "openai", "gpt-5-nano", Usage(1_000_000, 1_000_000), 0.45m,
            V + "openai/gpt-5-nano@2025-08-07/priority-unpriced-as-standard", Tier: ServiceTier.Priority),
        // priority inside the >200k tier, 7.20 / 32.40: 250,000 × 7.2 = 1.8; 10,000 × 32.4 = 0.324
        new("gemini-3-pro priority above 200k", "google", "gemini-3-pro-preview", Usage(250_000, 10_000), 2.124m,
            V + "google/gemini-3-pro-preview@2025-11-18/above-200k/priority", Tier: ServiceTier.Priority),

        // ------------------------------------------------------------------ Azure OpenAI deployment types
        // global 2.50 / 10: 1M × 2.5 + 1M × 10
        new("azure gpt-4o global", "azure", "gpt-4o-2024-08-06", Usage(1_000_000, 1_000_000), 12.5m, V + "azure-openai/gpt-4o@2024-08-06/global/standard", Azure: AzureDeploymentType.Global),
        // data zone 2.75 / 11: 1M × 2.75 + 1M × 11
        new("azure gpt-4o data zone", "azure", "gpt-4o-2024-08-06", Usage(1_000_000, 1_000_000), 13.75m, V + "azure-openai/gpt-4o@2024-08-06/data-zone/standard", Azure: AzureDeploymentType.DataZone),
        // regional 2.75 / 1.25 cached: uncached 600,000 × 2.75 = 1.65; cached 400,000 × 1.25 = 0.5
        new("azure gpt-4o regional with cache reads", "azure_openai", "gpt-4o", Usage(1_000_000, 0, cached: 400_000), 2.15m, V + "azure-openai/gpt-4o@2024-08-06/regional/standard", Azure: AzureDeploymentType.Regional),
        // no regional row, so global 2 / 8: 1M × 2 + 1M × 8
        new("azure gpt-4.1 regional falls back to global, flagged", "azure", "gpt-4.1", Usage(1_000_000, 1_000_000), 10m, V + "azure-openai/gpt-4.1@2025-04-14/regional-as-global/standard", Azure: AzureDeploymentType.Regional),
        // no type named → global 0.15 / 0.60: 1M × 0.15 + 1M × 0.6
        new("azure without a deployment type is global", "azure-openai", "gpt-4o-mini", Usage(1_000_000, 1_000_000), 0.75m, V + "azure-openai/gpt-4o-mini@2024-07-18/global/standard"),
        // data-zone batch 1.10 / 4.40: 1M × 1.1 + 1M × 4.4
        new("azure gpt-4.1 data-zone batch", "azure", "gpt-4.1-2025-04-14", Usage(1_000_000, 1_000_000), 5.5m,
            V + "azure-openai/gpt-4.1@2025-04-14/data-zone/batch", Tier: ServiceTier.Batch, Azure: AzureDeploymentType.DataZone),

        // ------------------------------------------------------------------ tenant overrides
        // (1M × 2.5 + 1M × 10) × 0.85 = 12.5 × 0.85
        new("tenant discount of 15%", "openai", "gpt-4o", Usage(1_000_000, 1_000_000), 10.625m, V + "openai/gpt-4o@2024-10-02/standard+override:discount-15%",
            Overrides: TenantPriceOverrides.Discount(15m)),
        // prices × 0.85 = 2.55 / 0.255 / 3.1875 / 12.75: uncached 50,000 × 2.55 = 0.1275; cached 30,000 × 0.255 = 0.00765;
        // write 20,000 × 3.1875 = 0.06375; out 10,000 × 12.75 = 0.1275 (= 0.384 undiscounted × 0.85)
        new("tenant discount of 15% applies to every class", "anthropic", "claude-sonnet-4-5", Usage(100_000, 10_000, cached: 30_000, write: 20_000), 0.3264m,
            V + "anthropic/claude-sonnet-4-5@2025-09-29/standard+override:discount-15%", Overrides: TenantPriceOverrides.Discount(15m)),
        // custom 2 / 0.50 / 8 replaces the catalog, the discount is not applied: uncached 500,000 × 2 = 1; cached 500,000 × 0.5 = 0.25; out 100,000 × 8 = 0.8
        new("tenant custom price replaces the catalog", "openai", "openai/gpt-4o-2024-11-20", Usage(1_000_000, 100_000, cached: 500_000), 2.05m, V + "openai/gpt-4o+custom",
            Overrides: new TenantPriceOverrides(15m, new Dictionary<string, ModelPrice> { ["GPT-4o"] = new(2m, 8m, cachedInput: 0.5m) })),
        // the provider-qualified key wins over the bare id: 1M × 1 + 1M × 4
        new("tenant custom price for one provider wins", "azure", "gpt-4o", Usage(1_000_000, 1_000_000), 5m, V + "azure-openai/gpt-4o+custom",
            Azure: AzureDeploymentType.DataZone,
            Overrides: new TenantPriceOverrides(null, new Dictionary<string, ModelPrice> { ["gpt-4o"] = new(2m, 8m), ["azure-openai/gpt-4o"] = new(1m, 4m) })),

        // ------------------------------------------------------------------ embeddings
        // 1M × 0.02
        new("text-embedding-3-small", "openai", "text-embedding-3-small", Usage(1_000_000, 0), 0.02m, V + "openai/text-embedding-3-small@2024-01-25/standard"),
        // explicit batch 0.01: 1M × 0.01
        new("text-embedding-3-small batch", "openai", "text-embedding-3-small", Usage(1_000_000, 0), 0.01m, V + "openai/text-embedding-3-small@2024-01-25/batch", Tier: ServiceTier.Batch),
        // 12,345 × 0.15 = 0.00185175
        new("gemini embedding", "google", "gemini-embedding-001", Usage(12_345, 0), 0.00185175m, V + "google/gemini-embedding-001@2025-07-14/standard"),
        // 2.5M × 0.10 = 0.25
        new("mistral embed", "mistral", "mistral-embed", Usage(2_500_000, 0), 0.25m, V + "mistral/mistral-embed@2023-12-11/standard"),
        // 1M × 0.12
        new("cohere embed v4", "cohere", "embed-v4.0", Usage(1_000_000, 0), 0.12m, V + "cohere/embed-v4.0@2025-04-15/standard"),

        // ------------------------------------------------------------------ resolution of reported names
        // resolves to gpt-4o-mini, not gpt-4o: 1,000 × 0.15 = 0.00015; 1,000 × 0.60 = 0.0006
        new("dated mini snapshot resolves to the mini model", "openai", "gpt-4o-mini-2024-07-18", Usage(1_000, 1_000), 0.00075m, V + "openai/gpt-4o-mini@2024-07-18/standard"),
        // 1,000 × 3 = 0.003; 1,000 × 15 = 0.015
        new("claude -latest alias", "anthropic", "claude-3-5-sonnet-latest", Usage(1_000, 1_000), 0.018m, V + "anthropic/claude-3-5-sonnet@2024-06-20/standard"),
        // 1M × 0.10 + 1M × 0.40
        new("gemini -001 revision with a models/ prefix", "gemini", "models/gemini-2.0-flash-001", Usage(1_000_000, 1_000_000), 0.5m, V + "google/gemini-2.0-flash@2025-02-05/standard"),
    }.ToDictionary(c => c.Name);

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void EveryHandComputedCaseCostsWhatTheArithmeticSays(string name)
    {
        var c = Cases[name];
        var request = new PricingRequest(c.Provider, c.Model, c.At ?? Recently, c.Usage, c.Tier, c.Azure);

        var outcome = new Pricer(PriceCatalog.Default).Price(request, c.Overrides);

        var cost = Assert.IsType<PricingOutcome.Priced>(outcome).Cost;
        Assert.Equal(c.ExpectedTotal, cost.Total);
        Assert.Equal(c.ExpectedVersion, cost.PriceVersion);
        Assert.Equal(cost.Input + cost.CachedInput + cost.CacheWrite + cost.Output + cost.Reasoning, cost.Total);
    }

    [Fact]
    public void TheTableHoldsAtLeastThirtyCases() => Assert.True(Cases.Count >= 30, $"only {Cases.Count} cases");

    [Fact]
    public void ABreakdownSeparatesEveryTokenClass()
    {
        // claude-haiku-4-5: uncached 5,000 × 1; cached 20,000 × 0.10; write 5,000 × 1.25; visible 1,500 × 5; reasoning 500 × 5
        var request = new PricingRequest("anthropic", "claude-haiku-4-5", Recently, Usage(30_000, 2_000, cached: 20_000, write: 5_000, reasoning: 500));

        var cost = Assert.IsType<PricingOutcome.Priced>(new Pricer(PriceCatalog.Default).Price(request)).Cost;

        Assert.Equal(
            new CostBreakdown("claude-haiku-4-5", V + "anthropic/claude-haiku-4-5@2025-10-01/standard", 0.005m, 0.002m, 0.00625m, 0.0075m, 0.0025m),
            cost);
    }

    [Fact]
    public void CostsAreNotRoundedInside()
    {
        // 1 token of gpt-4o-mini cache read: 1 × 0.075 / 1,000,000 = 0.000000075 exactly
        var request = new PricingRequest("openai", "gpt-4o-mini", Recently, Usage(1, 0, cached: 1));

        var cost = Assert.IsType<PricingOutcome.Priced>(new Pricer(PriceCatalog.Default).Price(request)).Cost;

        Assert.Equal(0.000000075m, cost.CachedInput);
        Assert.Equal("0.000000075", cost.Total.ToString(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("2.5")]
    [InlineData("2.50")]
    [InlineData("0.075")]
    [InlineData("10")]
    [InlineData("1.2500000000")]
    public void AClassWithNoTokensCostsZeroWrittenAsTheArithmeticWritesIt(string price)
    {
        var perMillion = decimal.Parse(price, CultureInfo.InvariantCulture);
        var overrides = new TenantPriceOverrides(null, new Dictionary<string, ModelPrice> { ["gpt-4o"] = new(perMillion, perMillion, perMillion, perMillion, perMillion) });
        var request = new PricingRequest("openai", "gpt-4o", Recently, Usage(1_000, 0));

        var cost = Assert.IsType<PricingOutcome.Priced>(new Pricer(PriceCatalog.Default).Price(request, overrides)).Cost;

        var arithmetic = 0L * perMillion / 1_000_000m;
        Assert.All([cost.CachedInput, cost.CacheWrite, cost.Output, cost.Reasoning], zero => Assert.Equal(decimal.GetBits(arithmetic), decimal.GetBits(zero)));
    }

    private static TokenUsage Usage(long input, long output, long cached = 0, long write = 0, long reasoning = 0) =>
        new(input, output, cached, write, reasoning);

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    private sealed record PricingCase(
        string Name,
        string Provider,
        string Model,
        TokenUsage Usage,
        decimal ExpectedTotal,
        string ExpectedVersion,
        DateTimeOffset? At = null,
        ServiceTier Tier = ServiceTier.Standard,
        AzureDeploymentType? Azure = null,
        TenantPriceOverrides? Overrides = null);
}
