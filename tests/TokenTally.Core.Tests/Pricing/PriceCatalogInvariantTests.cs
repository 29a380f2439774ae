using TokenTally.Core.Calls;
using TokenTally.Core.Pricing;

namespace TokenTally.Core.Tests.Pricing;

public sealed class PriceCatalogInvariantTests
{
    private static readonly PriceCatalog Catalog = PriceCatalog.Default;

    [Fact]
    public void TheDefaultCatalogHasAVersionAndAtLeastFortyFiveModels()
    {
        Assert.Equal("2026-07-18", Catalog.Version);
        Assert.True(Catalog.Models.Count >= 45, $"only {Catalog.Models.Count} models");
    }

    [Fact]
    public void TheDefaultCatalogIsLoadedOnce() => Assert.Same(PriceCatalog.Default, PriceCatalog.Default);

    [Theory]
    [InlineData("openai", 15)]
    [InlineData("azure-openai", 10)]
    [InlineData("anthropic", 10)]
    [InlineData("google", 6)]
    [InlineData("mistral", 5)]
    [InlineData("meta", 5)]
    public void EveryRequiredProviderFamilyIsCovered(string provider, int atLeast)
    {
        var count = Catalog.Models.Count(m => m.Provider == provider);

        Assert.True(count >= atLeast, $"{provider} has {count} models, expected at least {atLeast}");
    }

    [Fact]
    public void TheCatalogPricesAtLeastFiveEmbeddingModelsAcrossProviders()
    {
        var embeddings = Catalog.Models.Where(m => m.Operation == CallOperation.Embedding).ToList();

        Assert.True(embeddings.Count >= 5, $"only {embeddings.Count} embedding models");
        Assert.Superset(new HashSet<string> { "openai", "google", "mistral", "cohere" }, embeddings.Select(m => m.Provider).ToHashSet());
    }

    [Fact]
    public void AtLeastTwoModelsCarryARealPriceChange()
    {
        var changed = Catalog.Models.Where(m => m.Periods.Count > 1).Select(m => m.Key).ToList();

        Assert.Superset(new HashSet<string> { "openai/gpt-4o", "openai/o3", "mistral/mistral-large" }, changed.ToHashSet());
        Assert.All(Catalog.Models.Where(m => m.Periods.Count > 1), m => Assert.False(string.IsNullOrWhiteSpace(m.Note)));
    }

    [Fact]
    public void EveryModelNamesItsSource() =>
        Assert.All(Catalog.Models, m => Assert.False(string.IsNullOrWhiteSpace(m.Source), m.Key));

    [Fact]
    public void ModelKeysAreUniqueAcrossTheCatalog() =>
        Assert.Equal(Catalog.Models.Count, Catalog.Models.Select(m => m.Key).Distinct(StringComparer.Ordinal).Count());

    [Fact]
    public void OnlyAzureModelsHaveDeploymentTypePricesAndTheyAreNeverCheaperThanGlobal()
    {
        foreach (var model in Catalog.Models)
        {
            foreach (var period in model.Periods)
            {
                if (model.Provider != "azure-openai")
                {
                    Assert.Empty(period.Deployments);
                    continue;
                }

                foreach (var sheet in period.Deployments.Values)
                {
                    Assert.True(sheet.Prices.Input >= period.Sheet.Prices.Input, model.Key);
                    Assert.True(sheet.Prices.Output >= period.Sheet.Prices.Output, model.Key);
                }
            }
        }
    }

    [Fact]
    public void LongContextTiersNeverCostLessThanTheStandardPrices()
    {
        foreach (var sheet in Catalog.Models.SelectMany(m => m.Periods).Select(p => p.Sheet))
        {
            foreach (var tier in sheet.ContextTiers)
            {
                Assert.True(tier.Prices.Input >= sheet.Prices.Input);
                Assert.True(tier.Prices.Output >= sheet.Prices.Output);
                Assert.True(tier.Prices.EffectiveCachedInput >= sheet.Prices.EffectiveCachedInput);
            }
        }
    }

    [Fact]
    public void TheSonnetAndGeminiProLongContextTiersStartAbove200kTokens()
    {
        foreach (var key in new[] { "anthropic/claude-sonnet-4", "anthropic/claude-sonnet-4-5", "google/gemini-2.5-pro" })
        {
            var model = Catalog.Models.Single(m => m.Key == key);
            Assert.Equal(200_000, Assert.Single(model.Periods[^1].Sheet.ContextTiers).AboveInputTokens);
        }
    }

    [Fact]
    public void AValidMinimalCatalogParses()
    {
        var catalog = PriceCatalog.Parse(MinimalCatalog());

        var model = Assert.Single(catalog.Models);
        Assert.Equal("test/model-a", model.Key);
        Assert.Equal(new ModelPrice(1m, 2m, cachedInput: 0.5m), model.Periods[0].Sheet.Prices);
        Assert.Same(model, catalog.Resolve("t", "model-a-latest"));
    }

    [Fact]
    public void PricesMayBeWrittenAsDecimalStrings()
    {
        var catalog = PriceCatalog.Parse(MinimalCatalog(prices: """{ "input": "0.0375", "output": "1.5" }"""));

        Assert.Equal(0.0375m, catalog.Models[0].Periods[0].Sheet.Prices.Input);
    }

    [Theory]
    [InlineData("""{ "input": -1, "output": 2 }""", "periods[0].prices.input: price -1 is negative")]
    [InlineData("""{ "input": 1 }""", "periods[0].prices.output: required field is missing")]
    [InlineData("""{ "input": 1, "output": 2, "cachedinput": 0.5 }""", "periods[0].prices.cachedinput: unknown field")]
    [InlineData("""{ "input": "cheap", "output": 2 }""", "periods[0].prices.input: expected a decimal number")]
    public void AnInvalidPriceNamesTheModelAndTheField(string prices, string expected)
    {
        var error = Assert.Throws<PriceCatalogFormatException>(() => PriceCatalog.Parse(MinimalCatalog(prices: prices)));

        Assert.Equal("test/model-a", error.Model);
        Assert.Contains("model 'test/model-a'", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EffectiveDatesMustAscend()
    {
        var periods = """
            [
              { "effectiveFrom": "2025-06-01", "prices": { "input": 1, "output": 2 } },
              { "effectiveFrom": "2025-01-01", "prices": { "input": 1, "output": 2 } }
            ]
            """;

        var error = Assert.Throws<PriceCatalogFormatException>(() => PriceCatalog.Parse(MinimalCatalog(periods: periods)));

        Assert.Equal("test/model-a", error.Model);
        Assert.Contains("2025-01-01 follows 2025-06-01", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ContextTierThresholdsMustAscend()
    {
        var periods = """
            [{
              "effectiveFrom": "2025-01-01",
              "prices": { "input": 1, "output": 2 },
              "contextTiers": [
                { "aboveInputTokens": 272000, "prices": { "input": 2, "output": 4 } },
                { "aboveInputTokens": 128000, "prices": { "input": 3, "output": 6 } }
              ]
            }]
            """;

        var error = Assert.Throws<PriceCatalogFormatException>(() => PriceCatalog.Parse(MinimalCatalog(periods: periods)));

        Assert.Equal("test/model-a", error.Model);
        Assert.Contains("thresholds must strictly ascend", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAliasMayNotBelongToTwoModelsOfOneProvider()
    {
        var json = MinimalCatalog(extraModels: """
            , {
              "id": "model-b", "provider": "test", "operation": "chat", "aliases": ["model-a-latest"], "source": "hand",
              "periods": [{ "effectiveFrom": "2025-01-01", "prices": { "input": 1, "output": 2 } }]
            }
            """);

        var error = Assert.Throws<PriceCatalogFormatException>(() => PriceCatalog.Parse(json));

        Assert.Equal("test/model-b", error.Model);
        Assert.Contains("alias 'model-a-latest' is already used by model 'test/model-a'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnIdMayNotRepeatAnotherModelsAlias()
    {
        var json = MinimalCatalog(extraModels: """
            , {
              "id": "model-a-latest", "provider": "test", "operation": "chat", "source": "hand",
              "periods": [{ "effectiveFrom": "2025-01-01", "prices": { "input": 1, "output": 2 } }]
            }
            """);

        var error = Assert.Throws<PriceCatalogFormatException>(() => PriceCatalog.Parse(json));

        Assert.Equal("test/model-a-latest", error.Model);
    }

    [Fact]
    public void OnlyAzureModelsMayHaveDeploymentPrices()
    {
        var periods = """
            [{
              "effectiveFrom": "2025-01-01",
              "prices": { "input": 1, "output": 2 },
              "deployments": { "dataZone": { "prices": { "input": 1.1, "output": 2.2 } } }
            }]
            """;

        var error = Assert.Throws<PriceCatalogFormatException>(() => PriceCatalog.Parse(MinimalCatalog(periods: periods)));

        Assert.Contains("model 'test/model-a': periods[0].deployments: only azure-openai models", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "effectiveFrom": "01/06/2025", "prices": { "input": 1, "output": 2 } }""", "periods[0].effectiveFrom: '01/06/2025' is not a date")]
    [InlineData("""{ "effectiveFrom": "2025-01-01", "prices": { "input": 1, "output": 2 }, "serviceTiers": { "turbo": { "multiplier": 2 } } }""", "periods[0].serviceTiers.turbo: unknown field")]
    [InlineData("""{ "effectiveFrom": "2025-01-01", "prices": { "input": 1, "output": 2 }, "serviceTiers": { "batch": { "multiplier": -0.5 } } }""", "periods[0].serviceTiers.batch.multiplier: multiplier -0.5 is negative")]
    public void AnInvalidPeriodNamesTheModel(string period, string expected)
    {
        var error = Assert.Throws<PriceCatalogFormatException>(() => PriceCatalog.Parse(MinimalCatalog(periods: $"[{period}]")));

        Assert.Equal("test/model-a", error.Model);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUpperCaseAliasIsRejected()
    {
        var json = MinimalCatalog().Replace("\"model-a-latest\"", "\"Model-A-Latest\"", StringComparison.Ordinal);

        var error = Assert.Throws<PriceCatalogFormatException>(() => PriceCatalog.Parse(json));

        Assert.Contains("model 'test/model-a': aliases: 'Model-A-Latest' must be lower case", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AModelWithoutAnIdIsNamedByItsPosition()
    {
        var json = MinimalCatalog().Replace("\"id\": \"model-a\",", string.Empty, StringComparison.Ordinal);

        var error = Assert.Throws<PriceCatalogFormatException>(() => PriceCatalog.Parse(json));

        Assert.Equal("models[0]", error.Model);
        Assert.Contains("id: required field is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownProviderIsRejected()
    {
        var json = MinimalCatalog().Replace("\"provider\": \"test\"", "\"provider\": \"nope\"", StringComparison.Ordinal);

        var error = Assert.Throws<PriceCatalogFormatException>(() => PriceCatalog.Parse(json));

        Assert.Equal("nope/model-a", error.Model);
    }

    [Fact]
    public void MalformedJsonIsAFormatError()
    {
        var error = Assert.Throws<PriceCatalogFormatException>(() => PriceCatalog.Parse("{ \"version\": "));

        Assert.Null(error.Model);
        Assert.StartsWith("Invalid price catalog: not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingVersionIsAFormatError()
    {
        var json = MinimalCatalog().Replace("\"version\": \"test-1\",", string.Empty, StringComparison.Ordinal);

        var error = Assert.Throws<PriceCatalogFormatException>(() => PriceCatalog.Parse(json));

        Assert.Contains("version: required field is missing", error.Message, StringComparison.Ordinal);
    }

    private static string MinimalCatalog(string? prices = null, string? periods = null, string extraModels = "")
    {
        periods ??= $$"""[{ "effectiveFrom": "2025-01-01", "prices": {{prices ?? """{ "input": 1, "output": 2, "cachedInput": 0.5 }"""}} }]""";
        return $$"""
            {
              "version": "test-1",
              "currency": "USD",
              "providers": [{ "id": "test", "aliases": ["t"] }, { "id": "azure-openai" }],
              "models": [{
                "id": "model-a",
                "provider": "test",
                "operation": "chat",
                "aliases": ["model-a-latest"],
                "source": "hand",
                "periods": {{periods}}
              }{{extraModels}}]
            }
            """;
    }
}
